"""Progress meetings and staff training (推进会, 业务培训): a sub-product of steering."""
