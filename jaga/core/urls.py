from django.contrib.auth import views as auth_views
from django.urls import path

from jaga.core.views import account, audit, auth, institutions, notifications, tokens

app_name = "core"

urlpatterns = [
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/", account.account, name="account"),
    path("akun/kata-sandi/", account.PasswordChangeView.as_view(), name="password_change"),
    path("akun/lupa-kata-sandi/", account.PasswordResetView.as_view(), name="password_reset"),
    path("akun/lupa-kata-sandi/terkirim/", account.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("akun/reset/<uidb64>/<token>/", account.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("akun/reset/selesai/", account.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("akun/2fa/", auth.otp_setup, name="otp_setup"),
    path("akun/2fa/verifikasi/", auth.otp_verify, name="otp_verify"),
    path("", auth.home, name="home"),
    path("instansi/baru/", institutions.institution_create, name="institution_create"),
    path("instansi/<slug:slug>/", institutions.institution_detail, name="institution_detail"),
    path("instansi/<slug:slug>/ubah/", institutions.institution_edit, name="institution_edit"),
    path("instansi/<slug:slug>/situs/baru/", institutions.site_create, name="site_create"),
    path("instansi/<slug:slug>/situs/<int:site_id>/", institutions.site_detail, name="site_detail"),
    path("instansi/<slug:slug>/situs/<int:site_id>/ubah/", institutions.site_edit, name="site_edit"),
    path("instansi/<slug:slug>/situs/<int:site_id>/hapus/", institutions.site_delete, name="site_delete"),
    path("instansi/<slug:slug>/anggota/", institutions.membership_list, name="membership_list"),
    path("instansi/<slug:slug>/anggota/<int:pk>/hapus/", institutions.membership_delete, name="membership_delete"),
    path("instansi/<slug:slug>/anggota/<int:pk>/peran/", institutions.membership_role, name="membership_role"),
    path(
        "instansi/<slug:slug>/anggota/<int:pk>/kata-sandi/",
        institutions.membership_password,
        name="membership_password",
    ),
    path("instansi/<slug:slug>/audit/", audit.audit_list, name="audit_list"),
    path("instansi/<slug:slug>/notifikasi/", notifications.channel_list, name="channel_list"),
    path("instansi/<slug:slug>/notifikasi/baru/", notifications.channel_edit, name="channel_create"),
    path("instansi/<slug:slug>/notifikasi/<int:pk>/ubah/", notifications.channel_edit, name="channel_edit"),
    path("instansi/<slug:slug>/notifikasi/<int:pk>/hapus/", notifications.channel_delete, name="channel_delete"),
    path("instansi/<slug:slug>/notifikasi/<int:pk>/uji/", notifications.channel_test, name="channel_test"),
    path("instansi/<slug:slug>/notifikasi/rute/", notifications.route_create, name="route_create"),
    path("instansi/<slug:slug>/notifikasi/rute/<int:pk>/hapus/", notifications.route_delete, name="route_delete"),
    path(
        "instansi/<slug:slug>/notifikasi/kiriman/<int:pk>/kirim-ulang/",
        notifications.delivery_resend,
        name="delivery_resend",
    ),
    path("instansi/<slug:slug>/token/", tokens.token_list, name="token_list"),
    path("instansi/<slug:slug>/token/<int:pk>/cabut/", tokens.token_revoke, name="token_revoke"),
]
