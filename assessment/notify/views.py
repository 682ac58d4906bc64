"""The office's record of every sending, the robots (a unit's and the office's own), and following units and
indicators (buttons and the unfollow link)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment import access
from assessment.models import Indicator, Unit
from core import paging
from core.errors import DomainError

from . import contacts
from .follows import can_follow, follow, follow_from_token, unfollow
from .models import Channel, Delivery, OfficeRobot, UnitRobot, log_rank
from .todo import mark_seen

PAGE_SIZE = 50


@require_safe
@access.require(visible=access.can_read_all, allowed=access.can_manage)
def delivery_log(request):
    """Every sending, failures first; filters by result, channel, kind and unit."""
    rows = Delivery.objects.select_related("unit", "user", "created_by")
    filters = {}
    for name, field, choices in (
        ("status", "status", Delivery.Status.values),
        ("channel", "channel", Channel.values),
        ("kind", "kind", Delivery.Kind.values),
    ):
        value = request.GET.get(name, "")
        if value in choices:
            rows, filters[name] = rows.filter(**{field: value}), value
    unit_id = request.GET.get("unit", "")
    if unit_id.isdigit():
        rows, filters["unit"] = rows.filter(unit_id=int(unit_id)), int(unit_id)
    rows = rows.order_by(log_rank(), "-created_at", "-pk")  # as the index delivery_log_order
    page = paging.paginate(request, rows, PAGE_SIZE)
    return render(
        request,
        "notify/delivery_log.html",
        {
            "page": page,
            "filters": filters,
            "statuses": Delivery.Status.choices,
            "channels": Channel.choices,
            "kinds": Delivery.Kind.choices,
            "units": Unit.objects.filter(deliveries__isnull=False).distinct().order_by("category__order", "order"),
            "failed": Delivery.objects.filter(status=Delivery.Status.FAILED).count(),
        },
    )


def _back(request, fallback):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@require_POST
@access.require(visible=access.can_read_all)
def follow_toggle(request):
    """Follow or stop following a unit (`unit`) or an indicator (`indicator`)."""
    unit_id, indicator_id = request.POST.get("unit", ""), request.POST.get("indicator", "")
    if unit_id.isdigit():
        target = {"unit": get_object_or_404(Unit, pk=unit_id)}
    elif indicator_id.isdigit():
        target = {"indicator": get_object_or_404(Indicator.objects.select_related("scheme"), pk=indicator_id)}
    else:
        messages.error(request, "请选择要关注的单位或指标。")
        return _back(request, "units:index")
    name = str(target.get("unit") or target["indicator"].title)
    if request.POST.get("action") == "unfollow":
        unfollow(request.user, **target)
        messages.success(request, f"已取消关注“{name}”。")
    else:
        follow(request.user, **target)
        messages.success(request, f"已关注“{name}”，每天会收到一份变化摘要。")
    return _back(request, "units:index")


@require_http_methods(["GET", "HEAD", "POST"])
def unfollow_link(request, token):
    """The link in a digest: works without signing in; GET asks, POST stops following (mail scanners only GET)."""
    found = follow_from_token(token)
    if request.method == "POST" and found is not None:
        label = found.target_label
        found.delete()
        return render(request, "notify/unfollow.html", {"done": True, "label": label})
    return render(request, "notify/unfollow.html", {"follow": found, "token": token}, status=200 if found else 404)


@require_http_methods(["GET", "HEAD", "POST"])
@access.require(visible=access.can_read_all, allowed=access.can_manage)
def unit_contacts(request, pk):
    """Who a unit's reminders reach: its reporters' e-mails (read) and its group robot (set or removed)."""
    unit = get_object_or_404(Unit.objects.select_related("category"), pk=pk)
    robot = UnitRobot.objects.filter(unit=unit).first()
    form = contacts.RobotForm(instance=robot)
    if request.method == "POST":
        try:
            if request.POST.get("remove") and not request.POST.get("confirm"):
                # Asked first: the unit's group stops getting reminders.
                return render(request, "notify/unit_contacts.html", {"unit": unit, "robot": robot, "confirm": True})
            if request.POST.get("remove"):
                contacts.remove_robot(unit, request.user)
                messages.success(request, f"已删除{unit.name}的群机器人。")
            else:
                form = contacts.RobotForm(request.POST, instance=robot)
                contacts.save_robot(unit, form, request.user)
                messages.success(request, f"已保存{unit.name}的群机器人，今后的提醒也发到这个群。")
            return redirect("units:contacts", pk=unit.pk)
        except DomainError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "notify/unit_contacts.html",
        {"unit": unit, "reporters": contacts.reporters_of(unit), "robot": robot, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@access.require(visible=access.can_read_all, allowed=access.can_manage)
def office_robot(request):
    """The office's own group robot, which hears of every arriving case and request (set or removed)."""
    robot = OfficeRobot.objects.first()
    form = contacts.OfficeRobotForm(instance=robot)
    if request.method == "POST":
        try:
            if request.POST.get("remove") and not request.POST.get("confirm"):
                # Asked first: the office's group stops hearing of what arrives.
                return render(request, "notify/office_robot.html", {"robot": robot, "confirm": True})
            if request.POST.get("remove"):
                contacts.remove_office_robot(request.user)
                messages.success(request, "已删除本办群机器人，报送到达时只发邮件通知。")
            else:
                form = contacts.OfficeRobotForm(request.POST, instance=robot)
                contacts.save_office_robot(form, request.user)
                messages.success(request, "已保存本办群机器人，今后单位报送案例或申请时也通知这个群。")
            return redirect("units:office_robot")
        except DomainError as exc:
            messages.error(request, str(exc))
    return render(
        request, "notify/office_robot.html", {"robot": robot, "form": form}, status=400 if form.errors else 200
    )


@require_POST
@access.require(visible=can_follow)
def todo_seen(request, pk):
    """已阅 on a followed unit's or indicator's changes in the 待办 list."""
    try:
        mark_seen(request.user, pk)
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    return redirect("todo")
