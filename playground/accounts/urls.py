from django.contrib.auth import views as auth_views
from django.urls import include, path

from playground.accounts import views
from playground.accounts.forms import LoginForm

# Admins' user management, under its own namespace (admin-only, like `teamkey`).
users_patterns = [
    path("", views.users_page, name="page"),
    path("invite/", views.invite, name="invite"),
    path("<int:user_id>/invite-link/", views.invite_link, name="invite_link"),
    path("<int:user_id>/role/", views.role, name="role"),
    path("<int:user_id>/deactivate/", views.deactivate, name="deactivate"),
    path("<int:user_id>/reactivate/", views.reactivate, name="reactivate"),
]

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.language, name="language"),
    path("password/", views.password_change, name="password_change"),
    path("invite/<uidb64>/<token>/", views.InviteAcceptView.as_view(), name="invite_accept"),
    path("users/", include((users_patterns, "users"))),
]
