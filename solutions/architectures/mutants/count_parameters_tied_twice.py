# task: count_parameters
# Walks the submodules and counts each one's own parameters: a weight shared by two layers is counted twice.
# hint: counted_tied_twice
def count_parameters(module):
    return sum(p.numel() for m in module.modules() for p in m.parameters(recurse=False) if p.requires_grad)
