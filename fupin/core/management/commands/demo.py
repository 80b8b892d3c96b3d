from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = "Load the demo data (once: a second run keeps what users changed)."

    def handle(self, *args, **options):
        from importlib import import_module

        for app in apps.get_app_configs():
            if app.name.startswith("fupin.") and module_has_submodule(app.module, "demo"):
                self.stdout.write(f"{app.verbose_name}:")
                import_module(f"{app.name}.demo").load(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("演示数据就绪。"))
