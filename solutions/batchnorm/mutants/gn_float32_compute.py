# task: groupnorm
# Casts to float32 "to save memory": float64 inputs lose precision far beyond the 1e-6 tolerance.
_reference_spatial_groupnorm_forward = spatial_groupnorm_forward


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    out, cache = _reference_spatial_groupnorm_forward(
        x.astype(np.float32), gamma.astype(np.float32), beta.astype(np.float32), G, gn_param
    )
    return out, cache
