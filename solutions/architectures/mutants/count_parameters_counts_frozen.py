# task: count_parameters
# Counts every parameter, frozen ones (requires_grad=False) too.
def count_parameters(module):
    return sum(p.numel() for p in module.parameters())
