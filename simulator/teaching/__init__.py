"""Teaching how rank-order lists work: small markets, traces, why, manipulation, sides."""
