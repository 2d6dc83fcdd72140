# task: init
# He init with fan_out instead of fan_in.
# hint: init_fan_out_for_fan_in
def kaiming_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out))
