"""global-serverless: identical regional backends behind the front door the stack config picks.

Composition only: settings, providers, components, exports.
"""

import pulumi

from components import backend_plan, naming
from components.config import load_settings
from components.dns import build_dns
from components.entries.base import DomainBinding
from components.front_doors import build_front_doors
from components.global_table import GlobalTable, GlobalTableArgs
from components.home_region import refuse_home_region_change
from components.monitoring import AlarmTopics, StackMonitoring, StackMonitoringArgs
from components.origin_lockdown import lock_entries
from components.origin_protection import INTERNAL, LOCKED, alb_scheme, lock_state, plan_origin_guard
from components.origin_secret import OriginSecret, OriginSecretArgs
from components.probes import Probes, ProbesArgs, probe_targets
from components.process import tune_garbage_collector
from components.providers import build_providers
from components.regional_backend import RegionalBackend, RegionalBackendArgs
from components.web_acl import build_web_acls

tune_garbage_collector()  # synthesis allocates many long-lived objects and exits
settings = load_settings()  # raises a ConfigError naming key, value, allowed values and fix
# The table cannot move: refused before any resource. Its tags also say what the last update left.
deployed = refuse_home_region_change(settings, naming.table_name(settings))
providers = build_providers(settings)
dns = build_dns(settings, providers)

guard = plan_origin_guard(settings.strategies, settings.backend)
lock = lock_state(guard, settings.strategies, deployed)  # locking waits until no other door serves
scheme = alb_scheme(guard, deployed)  # fixed when the ALBs are created

table = GlobalTable(
    "items",
    GlobalTableArgs(
        table_name=naming.table_name(settings),
        home_region=settings.home_region,
        replica_regions=settings.replica_regions,
        deletion_protection=settings.deletion_protection,
        consistency=settings.table_consistency,
        witness_region=settings.witness_region,
        front_doors=settings.strategies,
        alb_scheme=scheme if settings.backend == "alb" else None,
    ),
    provider=providers.home,
)

topics = AlarmTopics("alarms", settings, providers)  # every alarm notifies its region's topic
secret = OriginSecret("origin", OriginSecretArgs(settings.origin_secret_version)) if guard.secret_header else None

backends = {}
for region in settings.regions:
    binding = (
        None
        if dns is None
        else DomainBinding(hostnames=dns.hostnames, zone_id=dns.zone_id, certificate_arn=dns.certificate_arns[region])
    )
    backends[region] = RegionalBackend(
        naming.regional("api", region),
        RegionalBackendArgs(
            region=region,
            backend=settings.backend,
            table_name=table.name,
            table_arn=table.arn_in(region),
            chaos_parameter_name=naming.chaos_parameter_name(settings),
            environment=backend_plan.function_environment(
                settings, naming.table_name(settings), naming.chaos_parameter_name(settings)
            ),
            health=settings.health_check,
            deletion_protection=settings.deletion_protection,
            domain=binding,
            origin_secrets=None if secret is None else secret.accepted,
            origin_locked=lock == LOCKED,
            access_log_days=settings.access_log_days,
            auth=settings.auth,
            internal_entry=scheme == INTERNAL,
            alarm_topic_arn=topics.arns[region],
            global_accelerator="globalaccelerator" in settings.strategies,
        ),
        provider=providers[region],
    )

web_acls = build_web_acls(settings, providers, backends)  # where origin_protection.waf_coverage says

# Entries open before the doors move (the main name waits for them); they lock after (they wait for the doors).
opened = () if lock == LOCKED else lock_entries(backends, providers, lock)
front_doors = build_front_doors(
    settings,
    [b.endpoint for b in backends.values()],
    providers,
    dns,
    origin_secret=None if secret is None else secret.current,
    origin_accepted_by=tuple(b.origin_acceptor for b in backends.values() if b.origin_acceptor),
    entries_open=opened + (() if lock == LOCKED else tuple(g for b in backends.values() for g in b.origin_gates)),
    web_acl_arns=web_acls,
)
if lock == LOCKED:
    lock_entries(backends, providers, lock, after=front_doors.serving)

# Every region probes every door and every region's entry once a minute.
targets = probe_targets(
    dict(front_doors.urls),
    settings.health_check.path,
    None if settings.hostnames is None else dict(settings.hostnames.regional),
)
for region in settings.probe_regions:
    Probes(
        naming.regional("probes", region),
        ProbesArgs(vantage=region, targets=targets, doors=settings.strategies, topic_arn=topics.arns[region]),
        providers[region],
    )

StackMonitoring(
    "monitoring",
    StackMonitoringArgs(
        settings=settings,
        table_name=table.name,
        function_names={region: b.function.name for region, b in backends.items()},
        topic_arns=topics.arns,
        health_check_ids=front_doors.health_check_ids,
    ),
    providers,
)

pulumi.export("url", front_doors.url)
pulumi.export("frontDoor", dict(settings.front_door) if settings.is_ab else settings.strategies[0])
pulumi.export("frontDoorUrls", front_doors.urls)
pulumi.export("regionalEndpoints", {region: b.endpoint.url for region, b in backends.items()})
pulumi.export("tableName", table.name)
