from django.urls import path

from enterprises import views

urlpatterns = [
    path("", views.my_enterprises, name="my_enterprises"),
    path("register/", views.register, name="register_enterprise"),
    path("<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("<int:pk>/resubmit/", views.resubmit, name="enterprise_resubmit"),
    path("<int:pk>/members/", views.invite, name="enterprise_invite"),
    path("<int:pk>/licence/", views.licence, name="enterprise_licence"),
]
