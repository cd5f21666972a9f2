"""The default security-vendor delivery playbook (seed 002's standard delivery SOP), per tier.

Strategic accounts get every step, tighter due dates and vendor sign-offs; standard
accounts get the same spine with fewer steps. Used by a data migration and by tests,
so it takes the model classes as arguments (historical models in the migration).
"""

from typing import TypedDict

# (key, title, owner side, assignee role, due offset days, depends on, evidence, milestone, first value, instructions)
PHASES = [
    (
        "Environment confirmation",
        [
            (
                "env-inventory",
                "List your dev, test and production environments",
                "customer",
                "customer_admin",
                3,
                [],
                "text",
                False,
                False,
                "Name each environment, its network zone and who owns it. Production must be named explicitly.",
            ),
            (
                "env-access",
                "Grant the vendor access to the test environment",
                "customer",
                "customer_admin",
                5,
                ["env-inventory"],
                "",
                False,
                False,
                "Create the service account described in the deployment guide; share credentials through your vault.",
            ),
            (
                "env-confirmed",
                "Confirm the environment map with the customer",
                "vendor",
                "csm",
                7,
                ["env-inventory"],
                "",
                True,
                False,
                "Review the inventory on a call and record any gaps.",
            ),
        ],
    ),
    (
        "Automated deployment",
        [
            (
                "deploy-pipeline",
                "Set up the automated deployment pipeline",
                "vendor",
                "csm",
                10,
                ["env-access"],
                "text",
                False,
                False,
                "Deploy through CI/CD only; no manual changes on hosts.",
            ),
            (
                "deploy-test",
                "Deploy to the test environment",
                "vendor",
                "csm",
                12,
                ["deploy-pipeline"],
                "",
                False,
                False,
                "Run the pipeline against test and attach the run link.",
            ),
        ],
    ),
    (
        "Security checks",
        [
            (
                "sec-sast",
                "Run static analysis (SAST) on the integration",
                "vendor",
                "csm",
                14,
                ["deploy-test"],
                "file",
                False,
                False,
                "Attach the SAST report. Critical findings block go-live.",
            ),
            (
                "sec-dast",
                "Run dynamic analysis (DAST) against test",
                "vendor",
                "csm",
                16,
                ["deploy-test"],
                "file",
                False,
                False,
                "Attach the DAST report.",
            ),
            (
                "sec-deps",
                "Scan dependencies",
                "vendor",
                "csm",
                16,
                ["deploy-test"],
                "file",
                False,
                False,
                "Attach the dependency-scan report with no unresolved critical CVEs.",
            ),
            (
                "sec-signoff",
                "Approve the security results",
                "customer",
                "customer_admin",
                18,
                ["sec-sast", "sec-dast", "sec-deps"],
                "",
                True,
                False,
                "Your security lead reviews and approves the reports.",
            ),
        ],
    ),
    (
        "Post-deploy monitoring and validation",
        [
            (
                "prod-deploy",
                "Deploy to production",
                "vendor",
                "csm",
                21,
                ["sec-signoff"],
                "",
                True,
                False,
                "Deploy through the pipeline in the agreed change window.",
            ),
            (
                "prod-alerts",
                "Route alerts to your on-call channel",
                "customer",
                "customer_member",
                23,
                ["prod-deploy"],
                "text",
                False,
                False,
                "Send a test alert and confirm it reached the right people.",
            ),
            (
                "first-value",
                "First real detection triaged end to end",
                "customer",
                "customer_member",
                28,
                ["prod-alerts"],
                "text",
                True,
                True,
                "Describe the first real alert your team triaged with the product: the **first value** milestone.",
            ),
        ],
    ),
    (
        "Version control and rollback",
        [
            (
                "rollback-plan",
                "Agree the rollback plan",
                "vendor",
                "csm",
                25,
                ["prod-deploy"],
                "file",
                False,
                False,
                "All configuration is in version control; attach the one-step rollback runbook.",
            ),
            (
                "rollback-drill",
                "Run a rollback drill in test",
                "customer",
                "customer_admin",
                30,
                ["rollback-plan"],
                "",
                False,
                False,
                "Roll back and forward once in test; note the time it took.",
            ),
        ],
    ),
    (
        "Knowledge transfer and enablement",
        [
            (
                "kt-training",
                "Attend the operator training",
                "customer",
                "customer_member",
                32,
                ["prod-deploy"],
                "",
                False,
                False,
                "Two sessions: daily operation and incident handling.",
            ),
            (
                "kt-runbook",
                "Receive the operations runbook",
                "vendor",
                "csm",
                33,
                ["kt-training"],
                "file",
                False,
                False,
                "Attach the runbook tailored to the customer's environments.",
            ),
            (
                "kt-handover",
                "Sign the onboarding handover",
                "customer",
                "customer_admin",
                35,
                ["kt-runbook", "first-value"],
                "",
                True,
                False,
                "Confirms the team can run the product on its own.",
            ),
        ],
    ),
]

# Standard accounts skip these steps (their dependencies are re-pointed to what remains).
STANDARD_SKIPS = {"env-confirmed", "sec-dast", "rollback-drill", "kt-runbook"}


class _TierSettings(TypedDict):
    name: str
    scale: float
    skips: set[str]


TIER_SETTINGS: dict[str, _TierSettings] = {
    "strategic": {"name": "Security delivery — strategic", "scale": 1.0, "skips": set()},
    "key": {"name": "Security delivery — key", "scale": 1.0, "skips": {"rollback-drill"}},
    "standard": {"name": "Security delivery — standard", "scale": 1.25, "skips": STANDARD_SKIPS},
}


def _resolve(keys, skipped, by_key):
    """Replace skipped prerequisites by their own prerequisites, transitively."""
    out = []
    for key in keys:
        if key in skipped:
            out.extend(_resolve(by_key[key][5], skipped, by_key))
        else:
            out.append(key)
    return list(dict.fromkeys(out))


def install_default_playbooks(Playbook, PlaybookPhase, PlaybookTask) -> None:  # noqa: N803 (model classes)
    """Create the three tier playbooks unless a default for that tier exists."""
    by_key = {task[0]: task for _, tasks in PHASES for task in tasks}
    for tier, conf in TIER_SETTINGS.items():
        if Playbook.objects.filter(default_for_tier=tier).exists():
            continue
        playbook = Playbook.objects.create(
            name=conf["name"],
            default_for_tier=tier,
            description="The standard delivery SOP: environments, deployment, security checks, monitoring, "
            "rollback, enablement.",
        )
        made = {}
        for phase_pos, (phase_title, tasks) in enumerate(PHASES):
            phase = PlaybookPhase.objects.create(playbook=playbook, title=phase_title, position=phase_pos)
            for pos, (key, title, side, role, due, _deps, evidence, milestone, first, text) in enumerate(tasks):
                if key in conf["skips"]:
                    continue
                made[key] = PlaybookTask.objects.create(
                    phase=phase,
                    key=key,
                    title=title,
                    owner_side=side,
                    assignee_role=role,
                    due_offset_days=round(due * conf["scale"]),
                    evidence=evidence,
                    is_milestone=milestone,
                    is_first_value=first,
                    instructions=text,
                    position=pos,
                )
        for key, task in made.items():
            task.depends_on.set([made[k] for k in _resolve(by_key[key][5], conf["skips"], by_key)])
