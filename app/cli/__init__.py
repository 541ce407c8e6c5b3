"""Operator commands: ``flask --app wsgi <command>``.

Every command is registered here, on the app, in one place.
"""

from __future__ import annotations

from flask import Flask

from app.cli.accounts import api_token_command, create_admin_command
from app.cli.assignments import assign_command
from app.cli.dossiers import dossier_key_command, dossier_sheet_command, import_dossier_counts_command
from app.cli.reports import export_responses_command, import_responses_command, report_command
from app.cli.setup import (
    forget_device_tags_command,
    kiosk_url_command,
    migrate_command,
    qr_command,
    rollup_command,
    seed_demo_command,
    urls_command,
)
from app.cli.targets import targets_export_command

COMMANDS = (
    migrate_command,
    forget_device_tags_command,
    kiosk_url_command,
    rollup_command,
    seed_demo_command,
    urls_command,
    qr_command,
    create_admin_command,
    api_token_command,
    assign_command,
    report_command,
    export_responses_command,
    import_responses_command,
    targets_export_command,
    import_dossier_counts_command,
    dossier_key_command,
    dossier_sheet_command,
)


def register_cli(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
