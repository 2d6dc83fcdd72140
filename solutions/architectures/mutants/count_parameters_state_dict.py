# task: count_parameters
# Counts the entries of state_dict(): the batch norms' running statistics and num_batches_tracked are
# buffers, not parameters (and a tied or frozen weight is there too).
# hint: counted_buffers
def count_parameters(module):
    return sum(value.numel() for value in module.state_dict().values())
