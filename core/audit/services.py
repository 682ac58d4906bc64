"""Writing audit entries: `record`, the request being served (for the address), and `audited` for services."""

import contextvars
import functools
import inspect

from core.audit.models import AuditEntry, AuditResult
from core.clients import client_ip

# The request being served, set by `middleware.AuditMiddleware`: a service called from a view records
# the address it came from without every signature carrying the request.
current_request = contextvars.ContextVar("audit_request", default=None)

MAX_DETAIL = 2000


def _describe_object(obj):
    if obj is None:
        return "", "", ""
    if isinstance(obj, tuple):  # (type label, id, text) for things that are not model instances
        kind, pk, text = obj
        return str(kind)[:100], str(pk)[:64], str(text)[:300]
    meta = getattr(obj, "_meta", None)
    kind = str(meta.verbose_name) if meta is not None else type(obj).__name__
    return kind[:100], str(getattr(obj, "pk", "") or "")[:64], str(obj)[:300]


def record(action, *, actor=None, request=None, obj=None, result=AuditResult.OK, detail=""):
    """Write one entry. actor: the user acting (None: the system or a command; default: the request's user);
    obj: a model instance or (type, id, text); the address comes from `request` or the request being served."""
    request = request or current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    name = actor if isinstance(actor, str) else (actor.get_username() if actor is not None else "")
    actor_obj = actor if actor is not None and not isinstance(actor, str) and actor.pk else None
    kind, pk, text = _describe_object(obj)
    return AuditEntry.objects.create(
        actor=actor_obj,
        actor_name=name[:150],
        ip=client_ip(request),
        action=action,
        object_type=kind,
        object_id=pk,
        object_text=text,
        result=result,
        detail=str(detail or "")[:MAX_DETAIL],
    )


def audited(action, describe, *, refused=()):
    """Record every call of a service: a success, or a refusal (`refused` exceptions, their Chinese message
    as the detail) — written after the service's own transaction, so a refusal's entry is kept.

    describe(args, result) → {"obj": …, "detail": …, "action": …} (each optional) or None to record nothing
    (a call that changed nothing); `args` are the call's arguments by name, `result` None on a refusal.
    The actor is the argument named `user`.
    """

    def decorator(func):
        signature = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = bound.arguments
            try:
                value = func(*args, **kwargs)
            except refused as exc:
                facts = describe(arguments, None) or {}
                record(
                    facts.get("action", action),
                    actor=arguments.get("user"),
                    obj=facts.get("obj"),
                    result=AuditResult.FAILED,
                    detail=" ".join(getattr(exc, "messages", [str(exc)])),
                )
                raise
            facts = describe(arguments, value)
            if facts is not None:
                record(
                    facts.get("action", action),
                    actor=arguments.get("user"),
                    obj=facts.get("obj"),
                    detail=facts.get("detail", ""),
                )
            return value

        return wrapper

    return decorator
