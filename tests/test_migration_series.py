"""Each app's migrations are one linear series: 0001, 0002, … each after the one before, no merge migrations
(README, 开发约定: rebase and renumber instead of merging)."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.migrations.loader import MigrationLoader


def _our_apps():
    root = Path(settings.BASE_DIR).resolve()
    return [config.label for config in apps.get_app_configs() if Path(config.path).resolve().is_relative_to(root)]


def test_each_app_has_one_linear_series():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    checked = 0
    for label in _our_apps():
        names = sorted(name for app, name in graph.nodes if app == label)
        if not names:
            continue
        checked += 1
        numbers = [int(name[:4]) for name in names]
        assert numbers == list(range(1, len(names) + 1)), f"{label}: numbers {numbers} are not 1..n once each"
        assert graph.leaf_nodes(label) == [(label, names[-1])], f"{label}: more than one latest migration"
        for before, after in zip(names, names[1:], strict=False):
            own_parents = {parent for parent in graph.node_map[(label, after)].parents if parent[0] == label}
            assert own_parents == {(label, before)}, f"{label}.{after} must follow {before} alone: {own_parents}"
    assert checked >= 5
