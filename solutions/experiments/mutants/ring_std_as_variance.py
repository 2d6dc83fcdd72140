# task: gan_modes
# Scales the noise by sqrt(std), as if std were a variance.
# hint: ring_std_as_variance
def ring_of_gaussians(n, modes=8, radius=2.0, std=0.02, seed=0):
    rng = np.random.default_rng(seed)
    which = rng.integers(0, modes, size=n)
    return _ring_centres(modes, radius)[which] + np.sqrt(std) * rng.standard_normal((n, 2))
