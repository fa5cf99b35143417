from django.urls import path

from jaga.backups.views import edits, export, plans, register, repositories, restore, setup

app_name = "backups"

urlpatterns = [
    path("<slug:slug>/", plans.index, name="index"),
    path("<slug:slug>/rencana/<int:plan_id>/", plans.plan_detail, name="plan"),
    path("<slug:slug>/rencana/<int:plan_id>/snapshot/", plans.plan_snapshots, name="snapshots"),
    path("<slug:slug>/rencana/<int:plan_id>/mulai/<str:what>/", plans.plan_start, name="plan_start"),
    path("<slug:slug>/eksekusi/<int:run_id>/", plans.run_detail, name="run"),
    path("<slug:slug>/adk/", register.register, name="register"),
    path("<slug:slug>/rencana/<int:plan_id>/pulihkan/", restore.restore, name="restore"),
    path("<slug:slug>/rencana/<int:plan_id>/ekspor/", export.export, name="export"),
    path("<slug:slug>/rencana/baru/", setup.plan_new, name="plan_new"),
    path("<slug:slug>/rencana/<int:plan_id>/sumber/baru/", setup.source_new, name="source_new"),
    path("<slug:slug>/rencana/<int:plan_id>/ubah/", edits.plan_edit, name="plan_edit"),
    path("<slug:slug>/rencana/<int:plan_id>/hapus/", edits.plan_delete, name="plan_delete"),
    path("<slug:slug>/rencana/<int:plan_id>/sumber/<int:source_id>/ubah/", edits.source_edit, name="source_edit"),
    path("<slug:slug>/rencana/<int:plan_id>/sumber/<int:source_id>/hapus/", edits.source_delete, name="source_delete"),
]
urlpatterns += [
    path("<slug:slug>/repositori/baru/", setup.repository_new, name="repository_new"),
    path("<slug:slug>/repositori/<int:repo_id>/", repositories.repository_detail, name="repository"),
    path("<slug:slug>/repositori/<int:repo_id>/ubah/", edits.repository_edit, name="repository_edit"),
    path("<slug:slug>/repositori/<int:repo_id>/hapus/", edits.repository_delete, name="repository_delete"),
    path("<slug:slug>/repositori/<int:repo_id>/lembar-pemulihan/", repositories.recovery_sheet, name="sheet"),
    path(
        "<slug:slug>/repositori/<int:repo_id>/lembar-pemulihan/dicetak/",
        repositories.recovery_sheet_confirm,
        name="sheet_confirm",
    ),
]
