from django.db import migrations


def install(apps, schema_editor):
    from onboarding.playbooks.defaults import install_default_playbooks

    install_default_playbooks(
        apps.get_model("playbooks", "Playbook"),
        apps.get_model("playbooks", "PlaybookPhase"),
        apps.get_model("playbooks", "PlaybookTask"),
    )


class Migration(migrations.Migration):
    dependencies = [("playbooks", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
