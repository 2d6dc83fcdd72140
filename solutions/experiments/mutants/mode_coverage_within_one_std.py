# task: gan_modes
# Calls a sample high quality within 1 std of a centre instead of 3 std.
# hint: coverage_within_one_std
def mode_coverage(samples, modes=8, radius=2.0, std=0.02):
    samples = np.asarray(samples, dtype=np.float64)
    distances = np.linalg.norm(samples[:, None, :] - _ring_centres(modes, radius)[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    high_quality = distances.min(axis=1) <= std
    counts = np.bincount(nearest[high_quality], minlength=modes)
    return int(np.sum(counts >= 0.01 * len(samples))), float(np.mean(high_quality))
