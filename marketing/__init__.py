"""Marketing: coupons, spend-and-save, gifts, points, distribution (affiliates), flash sales,
rebates."""
