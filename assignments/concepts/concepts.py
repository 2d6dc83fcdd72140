"""Concepts: questions on the course notes: your answers.

Answer each question by setting its entry of `ANSWERS`: a letter (`"b"`) for a choice, a
list of letters (`["a", "c"]`) when several options are right (all of them, nothing
else, earns the points), a number for the others. Numbers may be written as arithmetic
(`3*3*64*56*56`, `1/3`). The grader reads `ANSWERS` without running your notebook or
file, so write values, not code that computes them (no function calls, no variables); an
answer it cannot read scores 0 for that question only.

The questions are in README.md and concepts.ipynb.
"""

ANSWERS = {
    # 1. Where batch norm goes (topic 6, 1 point): one letter: a, b, c or d
    "bn_placement": None,
    # 2. A convolution followed by BN needs no bias (topic 6, 1 point): one letter: a, b, c or d
    "bn_conv_bias": None,
    # 3. Why batch norm regularises (topic 6, 1 point): one letter: a, b, c or d
    "bn_regularises": None,
    # 4. Dropout's variance shift before batch norm (topic 6, 2 points): a number (within 0.1%; arithmetic such as 3*3*64 is fine)
    "bn_dropout_variance": None,
    # 5. Combining dropout and batch norm (topic 6, 1 point): one letter: a, b, c or d
    "bn_dropout_order": None,
    # 6. Parameters of a convolutional layer (topic 8, 2 points): a whole number
    "conv_param_count": None,
    # 7. The same map with a fully connected layer (topic 8, 2 points): a number (within 0.1%; arithmetic such as 3*3*64 is fine)
    "fc_param_ratio": None,
    # 8. Why convolutions need so few parameters (topic 8, 2 points): a list of letters, e.g. ["a", "c"] (options a to e)
    "conv_why": None,
    # 9. What parameter sharing assumes (topic 8, 1 point): one letter: a, b, c or d
    "conv_assumption": None,
    # 10. Output size of a CNN stem (topic 8, 2 points): a whole number
    "conv_output_size": None,
    # 11. What a pooling layer does (topic 8, 1 point): one letter: a, b, c or d
    "pooling_role": None,
    # 12. Parameters of an Inception module (topic 14, 2 points): a whole number
    "inception_params": None,
    # 13. What the 1x1 reduction saves (topic 14, 2 points): a number (within 0.1%; arithmetic such as 3*3*64 is fine)
    "inception_reduction": None,
    # 14. Factorising a 7x7 convolution (topic 14, 2 points): a number (within 0.1%; arithmetic such as 3*3*64 is fine)
    "factorised_7x7": None,
    # 15. The Inception family (topic 14, 2 points): a list of letters, e.g. ["a", "c"] (options a to f)
    "inception_versions": None,
    # 16. Channels out of a dense block (topic 14, 2 points): a whole number
    "densenet_channels": None,
    # 17. MACs saved by a depthwise separable convolution (topic 15, 2 points): a number (within 0.1%; arithmetic such as 3*3*64 is fine)
    "dw_separable_macs": None,
    # 18. Weights of a depthwise separable block (topic 15, 2 points): a whole number
    "dw_separable_params": None,
    # 19. Why MobileNet is not fast on a GPU (topic 15, 1 point): one letter: a, b, c or d
    "mobilenet_gpu": None,
    # 20. Why not minimise the 0-1 loss (topic 22, 1 point): one letter: a, b, c or d
    "zero_one_loss": None,
    # 21. The hinge loss (topic 22, 1 point): one letter: a, b, c or d
    "hinge_loss": None,
    # 22. Exponential loss on a badly misclassified sample (topic 22, 2 points): a number (within 0.1%; arithmetic such as 3*3*64 is fine)
    "exp_loss_outliers": None,
    # 23. The constant that minimises the absolute loss (topic 22, 2 points): a whole number
    "absolute_loss_minimiser": None,
    # 24. A deep network without non-linearities (topic 25, 1 point): one letter: a, b, c or d
    "linear_stack": None,
    # 25. How fast sigmoid gradients vanish (topic 25, 2 points): a number (within 0.1%; arithmetic such as 3*3*64 is fine)
    "sigmoid_vanishing": None,
    # 26. Activation functions (topic 25, 2 points): a list of letters, e.g. ["a", "c"] (options a to f)
    "activation_facts": None,
    # 27. Inverted dropout's scale (topic 26, 2 points): a number (within 0.1%; arithmetic such as 3*3*64 is fine)
    "dropout_scale": None,
    # 28. Inverted dropout at test time (topic 26, 1 point): one letter: a, b, c or d
    "dropout_test_time": None,
    # 29. Why dropout is rare in convolutional layers (topic 26, 2 points): a list of letters, e.g. ["a", "c"] (options a to d)
    "dropout_conv": None,
    # 30. Diagnosing a training curve (topic 31, 1 point): one letter: a, b, c or d
    "overfitting": None,
    # 31. Why a training loss does not go down (topic 31, 2 points): a list of letters, e.g. ["a", "c"] (options a to f)
    "loss_not_decreasing": None,
    # 32. Unsupervised reduction can destroy the signal (topic 32, 1 point): one letter: a, b, c or d
    "pca_can_hurt": None,
    # 33. Variance kept by the first component (topic 32, 2 points): a number (within 0.1%; arithmetic such as 3*3*64 is fine)
    "pca_explained": None,
    # 34. Mode collapse (topic 33, 1 point): one letter: a, b, c or d
    "mode_collapse": None,
    # 35. The value of the GAN game at its optimum (topic 33, 2 points): a number (within 0.1%; arithmetic such as 3*3*64 is fine)
    "gan_optimum": None,
    # 36. Why GANs fail to converge, and what helps (topic 33, 2 points): a list of letters, e.g. ["a", "c"] (options a to d)
    "gan_remedies": None,
    # 37. Why a kernel must be positive semi-definite (topic 34, 1 point): one letter: a, b, c or d
    "kernel_psd": None,
    # 38. A function that is not a kernel (topic 34, 2 points): a number (within 0.1%; arithmetic such as 3*3*64 is fine)
    "kernel_gram": None,
    # 39. What each CNN family introduced (topic 35, 2 points): a list of letters, e.g. ["a", "c"] (options a to f)
    "cnn_families": None,
    # 40. Receptive field of a VGG-style stack (topic 35, 2 points): a whole number
    "vgg_receptive_field": None,
    # 41. Why gradients survive in a ResNet (topic 35, 1 point): one letter: a, b, c or d
    "resnet_gradient": None,
}
