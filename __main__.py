"""global-serverless: identical regional backends behind the front door the stack config picks.

Composition only: settings, providers, components, exports.
"""

import pulumi

from components.config import load_settings
from components.doors.composition import DoorChoice, build_front_doors, router_probe_token
from components.doors.dns import DnsArgs, build_dns, certificate_regions
from components.observability.monitoring import AlarmTopics, MonitoredStack, StackMonitoring, StackMonitoringArgs
from components.observability.probes import Probes, ProbesArgs, probe_targets
from components.regional import function_settings, release_plan
from components.regional.backend import RegionalBackend, RegionalBackendArgs
from components.regional.entries.base import DomainBinding, entry_options
from components.regional.release import FunctionReleaseArgs
from components.security.exposure import entry_access, plan_exposure, probes_entries
from components.security.origin_secret import OriginSecret, OriginSecretArgs
from components.security.web_acl import WebAclsArgs, acl_metrics, build_web_acls
from components.stack import naming
from components.stack.gc_tuning import tune_garbage_collector
from components.stack.global_table import GlobalTable, GlobalTableArgs
from components.stack.home_region import refuse_home_region_change
from components.stack.providers import build_providers, default_tags

tune_garbage_collector()  # synthesis allocates many long-lived objects and exits
settings = load_settings()  # raises a ConfigError naming key, value, allowed values and fix
refuse_home_region_change(settings, naming.table_name(settings))  # the table cannot move: refused before any resource
home_region = settings.home_region
assert home_region is not None, "validated Settings always has a home region (components/config/rules.py: home)"
hostnames = settings.hostnames  # None exactly when the stack has no domain
# Components take narrow parts of the settings, never the whole.
providers = build_providers(settings.probe_regions, home_region, default_tags(settings.project, settings.stack))
dns = build_dns(
    None
    if settings.domain is None or hostnames is None
    else DnsArgs(
        domain=settings.domain,
        hostnames=hostnames,
        certificate_regions=certificate_regions(home_region, settings.regions, settings.strategies),
    ),
    providers,
)
exposure = plan_exposure(settings.strategies, settings.backend)  # who reaches the entries, and how
entry = entry_options(settings, exposure)  # how every region's entry is built

table = GlobalTable(
    "items",
    GlobalTableArgs(
        table_name=naming.table_name(settings),
        home_region=home_region,
        replica_regions=settings.replica_regions,
        deletion_protection=settings.deletion_protection,
        consistency=settings.table_consistency,
        witness_region=settings.witness_region,
    ),
    provider=providers.home,
)

web_acl_args = WebAclsArgs(
    waf=settings.waf,
    strategies=settings.strategies,
    backend=settings.backend,
    regions=settings.regions,
    metric_prefix=f"{settings.project}-{settings.stack}",
    health_path=settings.health_check.path,
)
monitored = MonitoredStack(
    project=settings.project,
    stack=settings.stack,
    home_region=home_region,
    regions=settings.regions,
    strategies=settings.strategies,
    probe_regions=settings.probe_regions,
    alarms=settings.alarms,
    acls=tuple(acl_metrics(web_acl_args)),
    waf_rate_limit=0 if settings.waf is None else settings.waf.rate_limit,
)
topics = AlarmTopics("alarms", monitored, providers)  # every alarm notifies its region's topic
secret = (
    OriginSecret(
        "origin",
        OriginSecretArgs(
            settings.origin_secret_version,
            regions=settings.regions if exposure.guard_in_function else (),
            stack=settings.stack,
        ),
        providers.by_region,
    )
    if exposure.origin_secret
    else None
)

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
            entry=entry,
            table_name=table.name,
            table_arn=table.arn_in(region),
            chaos_parameter_name=naming.chaos_parameter_name(settings),
            environment=function_settings.function_environment(
                settings, naming.table_name(settings), naming.chaos_parameter_name(settings)
            ),
            domain=binding,
            alarm_topic_arn=topics.arns[region],
            # Entries invoke the `live` alias; who moves it (pulumi up, or CodeDeploy wave by wave), cold starts.
            release=FunctionReleaseArgs(
                deployment_config=settings.release.deployment_config,
                snap_start=settings.snap_start,
                provisioned_concurrency=settings.provisioned_concurrency_for(region),
            ),
            codedeploy_application=release_plan.codedeploy_application_name(settings.project, settings.stack),
            origin_secret=None if secret is None else secret.current,
            origin_guard_environment=(
                # legacy_values: also ORIGIN_SECRETS, which a function of the last release still reads if
                # Lambda applies the new environment before the new code (this release only).
                secret.function_environment(None if dns is None else dns.hostnames.direct_names, legacy_values=True)
                if secret is not None and exposure.guard_in_function
                else None
            ),
            origin_guard_access=secret.read_statement(region)
            if secret is not None and exposure.guard_in_function
            else None,
        ),
        provider=providers[region],
    )

# Where exposure.waf_coverage says; CloudFront's requests are told apart by its secret, the router's probes
# by their token.
probe_token = router_probe_token(settings.strategies)
web_acls = build_web_acls(web_acl_args, providers, backends, None if secret is None else secret.current, probe_token)
front_doors = build_front_doors(
    DoorChoice(
        strategies=settings.strategies,
        health=settings.health_check,
        home_region=home_region,
        traffic_dials={r: settings.traffic_dial(r) for r in settings.regions},
    ),
    [b.endpoint for b in backends.values()],
    providers,
    dns,
    origin_secret=None if secret is None else secret.current,
    origin_accepted_by=() if secret is None else secret.accepted_by,
    web_acl_arns=web_acls,
    probe_token=probe_token,
)

# Every region probes every door, and its own entry when the entries answer strangers, once a minute.
targets = probe_targets(
    dict(front_doors.urls),
    settings.health_check.path,
    None
    if settings.hostnames is None or not probes_entries(exposure, settings.strategies)
    else dict(settings.hostnames.regional),
)
for region in settings.probe_regions:
    Probes(
        naming.regional("probes", region),
        ProbesArgs(
            vantage=region,
            targets=targets,
            doors=settings.strategies,
            topic_arn=topics.arns[region],
            regions=settings.regions,
        ),
        providers[region],
    )

monitoring = StackMonitoring(
    "monitoring",
    StackMonitoringArgs(
        stack=monitored,
        table_name=table.name,
        function_names={region: b.function.name for region, b in backends.items()},
        topic_arns=topics.arns,
        health_check_ids=front_doors.health_check_ids,
        # CloudFront's 5xx rate and the router's errors are alarmed per distribution.
        distribution_ids={s: d["distributionId"] for s, d in front_doors.details.items() if "distributionId" in d},
    ),
    providers,
)

pulumi.export("url", front_doors.url)
pulumi.export("frontDoor", dict(settings.front_door) if settings.is_ab else settings.strategies[0])
pulumi.export("frontDoorUrls", front_doors.urls)
pulumi.export("regionalEndpoints", {region: b.endpoint.url for region, b in backends.items()})
# Who can reach each regional entry: "public", "internal" (no public address) or "cloudfront-only".
pulumi.export("entryAccess", entry_access(exposure, settings.strategies, settings.regions))
# What operators look up: each door's own details (Global Accelerator's static IPs, the CloudFront
# distribution's id), the dashboard, and each region's alarm topic.
pulumi.export("frontDoorDetails", front_doors.details)
pulumi.export("dashboardUrl", monitoring.dashboard_url)
pulumi.export("alarmTopics", dict(topics.arns))
pulumi.export("tableName", table.name)
# What ops.release moves: each region's API function (its `live` alias), by name.
pulumi.export(release_plan.FUNCTIONS_OUTPUT, {region: b.function.name for region, b in backends.items()})
