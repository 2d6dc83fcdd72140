# task: gan_modes
# Calls a mode hit as soon as it has one high-quality sample (counts > 0), without the 1% threshold.
# hint: coverage_any_sample_hits
def mode_coverage(samples, modes=8, radius=2.0, std=0.02):
    samples = np.asarray(samples, dtype=np.float64)
    distances = np.linalg.norm(samples[:, None, :] - _ring_centres(modes, radius)[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    high_quality = distances.min(axis=1) <= 3 * std
    counts = np.bincount(nearest[high_quality], minlength=modes)
    return int(np.sum(counts > 0)), float(np.mean(high_quality))
