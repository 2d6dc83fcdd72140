# task: activation_facts
# Believes the sigmoid is zero-centred (multi: an extra wrong letter).
ANSWERS["activation_facts"] = ["a", "b", "c", "d", "e"]
