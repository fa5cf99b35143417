from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "jaga.renewals"
    label = "renewals"
