"""Programme reports and the public impact page: the income reaching communities
(defined in docs/impact.md) by enterprise, province, programme, stage and channel."""
