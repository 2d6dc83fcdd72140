# task: checkerboard
# Counts the overlaps along one axis and repeats them down the rows (forgets the 2-D product).
# hint: checkerboard_one_axis
def checkerboard_counts(kernel, stride, in_size):
    out = (in_size - 1) * stride + kernel
    per_axis = np.zeros(out, dtype=np.int64)
    for i in range(in_size):
        per_axis[i * stride:i * stride + kernel] += 1
    return np.tile(per_axis, (out, 1))
