"""How every ``{{ form }}`` in Jaga renders: a summary of every invalid field at the top (each a link to
its field), and each error under its own field's label, tied to the input (``aria-describedby``,
``aria-invalid``), so that someone using a screen reader hears it where it belongs.

Templates: ``core/forms/form.html`` and ``core/forms/field.html``. A page that lays a form out by hand
renders each field with ``{{ field.as_field_group }}`` and gets the same.
"""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class JagaFormRenderer(TemplatesSetting):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"
