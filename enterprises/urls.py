from django.urls import path

from enterprises import views
from enterprises.managers import views as manager_views
from enterprises.obligations import views as obligation_views

urlpatterns = [
    path("", views.my_enterprises, name="my_enterprises"),
    path("register/", views.register, name="register_enterprise"),
    path("<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("<int:pk>/resubmit/", views.resubmit, name="enterprise_resubmit"),
    path("<int:pk>/members/", views.invite, name="enterprise_invite"),
    path("<int:pk>/licence/", views.licence, name="enterprise_licence"),
    path("<int:pk>/messages/", manager_views.enterprise_messages, name="enterprise_messages"),
    path("<int:pk>/obligations/", obligation_views.obligations_page, name="enterprise_obligations"),
    path("<int:pk>/obligations/address/", obligation_views.feed_address, name="enterprise_obligations_address"),
    # The feed's address is its secret: no sign-in, so calendar apps can subscribe.
    path("calendar/<str:token>/obligations.ics", obligation_views.feed, name="obligations_feed"),
]
