# task: gan_modes
# Counts every sample for its nearest centre when counting modes hit, not only the high-quality ones.
# hint: coverage_counts_every_sample
def mode_coverage(samples, modes=8, radius=2.0, std=0.02):
    samples = np.asarray(samples, dtype=np.float64)
    distances = np.linalg.norm(samples[:, None, :] - _ring_centres(modes, radius)[None, :, :], axis=2)
    high_quality = distances.min(axis=1) <= 3 * std
    counts = np.bincount(distances.argmin(axis=1), minlength=modes)
    return int(np.sum(counts >= 0.01 * len(samples))), float(np.mean(high_quality))
