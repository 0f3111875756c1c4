"""The rules between keys, run once every key is valid on its own. Each raises a named error.

Door and backend rules read the facts of components/registry.py (DOORS, BACKENDS): a door added there is
checked by the same rules, and no rule spells a door's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.config.errors import full_key, problem
from components.config.fields import region_problem
from components.config.release import cold_start, release
from components.config.sections import PROBES_ALLOWED
from components.registry import BACKENDS, DOORS, HOME_REGION_KEY, MRSC_REGION_COUNT, MRSC_REGION_SETS, mrsc_set_of
from components.security.exposure import plaintext_hop, waf_coverage
from components.stack import regions as region_catalogue

if TYPE_CHECKING:
    from components.config.model import Settings

DIALS_ALLOWED = (
    "a map {region: percent 0-100} over configured regions (100 when absent): doors that split traffic apply the "
    "share; doors that cannot (route53's latency records) take 0 or 100"
)
ZONE_ALLOWED = "a map {zone, name} naming a public Route 53 hosted zone"


def check(s: Settings) -> None:
    for rule in (home, doors, dials, consistency, plaintext, waf, alarm_topic, vantages, key_set, release, cold_start):
        rule(s)


def home(s: Settings) -> None:
    allowed = f"one of the configured regions: {', '.join(s.regions)}"
    code = s.home_region
    if code is None or code == "":
        raise problem(
            "the home region (table primary, global resources) is not set",
            allowed,
            f"pulumi config set aws:region {s.regions[0]}",
            key=HOME_REGION_KEY,
        )
    wrong = region_problem(code, "home region")
    if wrong:
        raise problem(wrong[0], allowed, f"pulumi config set aws:region {s.regions[0]}", key=HOME_REGION_KEY)
    if code not in s.regions:
        raise problem(
            f'the home region "{code}" has no backend: it is not in {full_key("regions")}',
            allowed,
            f'add "{code}" to {full_key("regions")}, or pulumi config set aws:region {s.regions[0]}',
            key=HOME_REGION_KEY,
        )


def doors(s: Settings) -> None:
    for door in s.strategies:
        facts = DOORS[door]
        if s.backend not in facts.backends:
            others = [d for d in DOORS if s.backend in DOORS[d].backends]
            raise problem(
                f'"{door}" cannot front the "{s.backend}" backend: {facts.why_backends}',
                "; ".join(f"{d} with backend {' or '.join(DOORS[d].backends)}" for d in DOORS),
                f"pulumi config set {full_key('backend')} {facts.backends[0]}  "
                f"(or choose {'/'.join(others)} as the front door)",
                key=full_key("frontDoor"),
            )
    if s.domain is not None:
        return
    if s.is_ab:
        raise problem(
            "an A/B front door map needs a domain: the split is weighted Route 53 records on name.zone",
            ZONE_ALLOWED,
            "set domain: {zone: example.com, name: api} in Pulumi.<stack>.yaml, or use a single frontDoor",
            key=full_key("domain"),
        )
    for door in s.strategies:
        if DOORS[door].needs_domain:
            reason = DOORS[door].needs_domain_reason
            without = "/".join(d for d in DOORS if not DOORS[d].needs_domain)
            raise problem(
                f'frontDoor "{door}" needs a domain' + (f": {reason}" if reason else ""),
                ZONE_ALLOWED,
                f"set domain: {{zone: example.com, name: api}} in Pulumi.<stack>.yaml, or use frontDoor {without}",
                key=full_key("domain"),
            )


def dials(s: Settings) -> None:
    key = full_key("trafficDials")
    for region in s.traffic_dials:
        if region in DOORS:
            raise problem(
                f'"{region}" is a front door, not a region: trafficDials drain a region under every door',
                DIALS_ALLOWED,
                f'remove "{region}" from trafficDials (to stop deploying a door, remove it from frontDoor); '
                f"to drain a region: trafficDials: {{{s.regions[-1]}: 0}}",
                key=key,
            )
        wrong = region_problem(region, "trafficDials key")
        if wrong:
            raise problem(wrong[0], DIALS_ALLOWED, f"{wrong[1]} in trafficDials", key=key)
        if region not in s.regions:
            raise problem(
                f'"{region}" is not one of the configured regions',
                DIALS_ALLOWED,
                f'remove "{region}" from trafficDials, or add it to {full_key("regions")}',
                key=key,
            )
    partial = {r: d for r, d in s.traffic_dials.items() if 0 < d < 100}
    on_off = [d for d in s.strategies if DOORS[d].dials == "on-off"]
    if partial and on_off and len(on_off) == len(s.strategies):
        region, dial = next(iter(partial.items()))
        split = [d for d in DOORS if DOORS[d].dials != "on-off"]
        raise problem(
            f"{on_off[0]} cannot send a share of traffic: {region} is dialled to {dial}; it either answers with a "
            "region or not",
            f"0 (the region gets nothing) or 100 with frontDoor {on_off[0]}",
            f"set trafficDials: {{{region}: 0}} to drain it, or use frontDoor {' or '.join(split)} for partial dials",
            key=key,
        )
    if s.traffic_dials and all(s.traffic_dial(r) == 0 for r in s.regions):
        raise problem(
            "every region's dial is 0: no region would take traffic",
            DIALS_ALLOWED,
            "leave at least one region above 0 (to stop serving, remove the front door instead)",
            key=key,
        )


def vantages(s: Settings) -> None:
    already = [r for r in s.vantage_regions if r in s.regions]
    if already:
        raise problem(
            f"{already[0]} is one of the stack's regions, which probe every door already",
            PROBES_ALLOWED,
            f"remove {already[0]} from probes.vantageRegions",
            key=full_key("probes"),
        )


def alarm_topic(s: Settings) -> None:
    arn = s.alarms.topic_arn if s.alarms else None
    if arn is None or "{region}" in arn:
        return
    topic_region = arn.split(":")[3]
    elsewhere = [r for r in s.regions if r != topic_region]
    if elsewhere:
        raise problem(
            f"topic {arn} is in {topic_region}, but CloudWatch alarms notify topics in their own region "
            f"only, and this stack has alarms in {', '.join(elsewhere)}",
            "a topic ARN with {region} in place of the region, naming a topic of that name in every region",
            f"set alarms: {{topicArn: {arn.replace(topic_region, '{region}', 1)}}} (and create the topic in each "
            "region), or use alarms: {email: ...} for topics the stack makes",
            key=full_key("alarms"),
        )


def waf(s: Settings) -> None:
    if s.waf is None:
        return
    coverage = waf_coverage(s.strategies, s.backend)
    if coverage.edge or coverage.regional:
        return
    edge = [d for d in DOORS if DOORS[d].web_acl_scope]
    regional = [b for b in BACKENDS if BACKENDS[b].takes_web_acl]
    raise problem(
        f"no request would pass a web ACL: {', '.join(coverage.uncovered)} (this backend cannot take a WAFv2 "
        "web ACL, and no front door of this stack can)",
        f"waf with the {'/'.join(edge)} front door (alone or in an A/B map), or with the {'/'.join(regional)} backend",
        f"pulumi config rm {full_key('waf')}  (or use frontDoor {'/'.join(edge)}, or backend {'/'.join(regional)})",
        key=full_key("waf"),
    )


def plaintext(s: Settings) -> None:
    hop = plaintext_hop(s.backend, s.domain is not None, s.strategies)
    if hop is None or s.allow_plaintext:
        return
    raise problem(
        f"{hop}: anyone on the path can read and change requests and answers",
        f"a domain (every hop is then HTTPS), or {full_key('allowPlaintext')}: true to accept the plaintext hop",
        "set domain: {zone: example.com, name: api} in Pulumi.<stack>.yaml"
        f"  (or, for a throwaway stack only: pulumi config set {full_key('allowPlaintext')} true)",
        key=full_key("backend"),
    )


def consistency(s: Settings) -> None:
    """DynamoDB's multi-Region strong consistency rules (registry.MRSC_REGION_SETS)."""
    key, witness_key, witness = full_key("tableConsistency"), full_key("witnessRegion"), s.witness_region
    wrong = None if witness is None else region_problem(witness, "witness region")
    if wrong:
        raise problem(wrong[0], "a region code of the regions' MRSC set", wrong[1], key=witness_key)
    if s.table_consistency == "eventual":
        if witness is not None:
            raise problem(
                "a witness region only serves a strong (MRSC) table",
                "unset, unless tableConsistency is strong",
                f"pulumi config rm {witness_key}  (or set {key} strong)",
                key=witness_key,
            )
        return
    sets = "; ".join(f"{name}: {', '.join(members)}" for name, members in MRSC_REGION_SETS.items())
    outside = [r for r in s.regions if mrsc_set_of(r) is None]
    if outside or len({mrsc_set_of(r) for r in s.regions}) > 1:
        raise problem(
            f"regions {', '.join(s.regions)} are not all in one MRSC region set"
            + (f" ({', '.join(outside)} is in none)" if outside else ""),
            f"strong with three regions of one set ({sets})",
            f"pulumi config set {key} eventual, or choose regions from one set",
            key=key,
        )
    home_set = mrsc_set_of(s.regions[0])
    if witness is not None and (mrsc_set_of(witness) != home_set or witness in s.regions):
        raise problem(
            "the witness must be a region of the same MRSC set as the regions, and not one of them "
            "(it holds no backend)",
            f"a region of the {home_set} set other than {', '.join(s.regions)}",
            f"pulumi config set {witness_key} <region of the same set>",
            key=witness_key,
        )
    if len(s.regions) + (witness is not None) != MRSC_REGION_COUNT or len(s.regions) < 2:
        have = f"{len(s.regions)} region(s)" + (" and a witness" if witness else "")
        raise problem(
            f"an MRSC table spans exactly {MRSC_REGION_COUNT} regions (three replicas, or two and a witness); "
            f"this stack has {have}",
            f"three regions, or two regions plus {witness_key}, of one set ({sets})",
            f"add or remove regions, set {witness_key} with two regions, or set {key} eventual",
            key=key,
        )


def key_set(s: Settings) -> None:
    """An entry that validates tokens itself with a certificate (an ALB's jwt-validation) takes the key set's URL at
    deploy time: it must be known (ELB user guide, "Verify JWTs using an Application Load Balancer")."""
    if s.auth is None or s.domain is None or s.auth.key_set_url is not None:
        return
    if not BACKENDS[s.backend].listener_rules:
        return
    raise problem(
        f"the {s.backend} backend validates tokens at the load balancer, which needs the issuer's key set URL; "
        f"{s.auth.issuer} is not an Amazon Cognito user pool, whose URL is known",
        "auth.jwksUrl: the jwks_uri from <issuer>/.well-known/openid-configuration",
        f"curl -s {s.auth.issuer.rstrip('/')}/.well-known/openid-configuration  (copy jwks_uri), then set "
        "auth: {issuer: ..., audience: ..., jwksUrl: <jwks_uri>} in Pulumi.<stack>.yaml",
        key=full_key("auth"),
    )


# -- Valid, but worth a note (Settings.warnings: shown by `pulumi up`, never fatal) ---------------


def opt_in_notes(s: Settings) -> tuple[str, ...]:
    """One note per opt-in region the stack deploys to (components/stack/data/aws_opt_in_regions.json): the deploy
    fails there unless the account has enabled the region, which no config can tell."""
    table = region_catalogue.opt_in_table()
    places = [(full_key("regions"), r) for r in s.regions]
    places += [(full_key("witnessRegion"), s.witness_region)] if s.witness_region else []
    places += [(f"{full_key('probes')}.vantageRegions", r) for r in s.vantage_regions]
    return tuple(
        f"{key}: {code} ({table['regions'][code]}) is an opt-in region: the deploy fails there unless this "
        f"AWS account has enabled it. Check: aws account get-region-opt-status --region-name {code} "
        f"(ENABLED or ENABLED_BY_DEFAULT is ready). Enable: aws account enable-region --region-name {code} "
        "(or the console: Account > AWS Regions); it takes minutes, for some accounts hours. "
        f"(Opt-in table of {table['date']}: AWS Account Management, Enable or disable AWS Regions.)"
        for key, code in places
        if region_catalogue.is_opt_in(code)
    )


def notes(s: Settings) -> list[str]:
    found = list(opt_in_notes(s))
    partial = sorted(r for r, d in s.traffic_dials.items() if 0 < d < 100)
    on_off = [d for d in s.strategies if DOORS[d].dials == "on-off"]
    if partial and on_off:
        found.append(
            f"{full_key('trafficDials')}: {', '.join(on_off)} cannot send a share of traffic, so "
            f"{', '.join(partial)} keeps its latency record there (a dial of 0 would remove it); the other doors "
            "apply the dial."
        )
    return found
