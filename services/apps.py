from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Government services")

    def ready(self):
        import services.calendar.working_days  # noqa: F401  (connects the calendar's cache-clearing signals)
        from services.catalogue import cache as catalogue_cache
        from services.ratings.reports import RatingReports
        from services.reports import extensions

        extensions.register(RatingReports())
        catalogue_cache.connect()
