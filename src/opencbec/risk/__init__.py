"""Risk targeting: declarative dated rules, a learned model and the budgeted selection policy.

The clearing core sees none of this directly: it calls the ``RiskAssessorLike`` protocol of
``opencbec.clearing.risk_port``, implemented here by :class:`opencbec.risk.assessor.RiskAssessor`.
"""
