# task: init
# He init without the ReLU gain: std = sqrt(1 / fan_in) (that is LeCun's initialisation).
# hint: kaiming_without_relu_gain
def kaiming_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))
