# task: checkerboard
# Treats a kernel smaller than the stride as even (it leaves gaps: zeros between ones, uneven).
def has_checkerboard(kernel, stride):
    return bool(kernel > stride and kernel % stride != 0)
