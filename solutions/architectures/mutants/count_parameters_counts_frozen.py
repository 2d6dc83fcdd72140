# task: count_parameters
# Counts every parameter, frozen ones (requires_grad=False) too.
# hint: counted_frozen
def count_parameters(module):
    return sum(p.numel() for p in module.parameters())
