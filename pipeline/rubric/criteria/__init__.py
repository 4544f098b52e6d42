"""Built-in criteria and flag detectors. Each module registers its components with
`@register_criterion` / `@register_flag`, exactly as a shop's plugin module would."""
from pipeline.rubric.criteria import (  # noqa: F401
    commitment,
    courtesy,
    empathy,
    flags,
    forbidden,
    framing,
    listening,
    timing,
)
