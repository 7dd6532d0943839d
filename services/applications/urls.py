"""Applications (办件) of the signed-in clerk's enterprises, included by portal/urls.py under applications/."""

from django.urls import path

from services.applications import filing_views as filing
from services.applications import materials_views as materials
from services.applications import views
from services.applications.notices import views as notice_views
from services.ratings import views as ratings

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/", views.application_new, name="application_new"),
    path("apply/<str:code>/", filing.filing_start, name="filing_start"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/filing/", filing.filing_tasks, name="filing_tasks"),
    path("<int:pk>/filing/details/", filing.filing_details, name="filing_details"),
    path("<int:pk>/filing/materials/", materials.filing_materials, name="filing_materials"),
    path("<int:pk>/filing/materials/<int:doc_pk>/remove/", materials.document_remove, name="filing_document_remove"),
    path("<int:pk>/filing/materials/<int:doc_pk>/replace/", materials.document_replace,
         name="filing_document_replace"),
    path("<int:pk>/filing/materials/reuse/", materials.document_reuse, name="filing_document_reuse"),
    path("<int:pk>/filing/review/", filing.filing_review, name="filing_review"),
    path("<int:pk>/filing/done/", filing.filing_done, name="filing_done"),
    path("<int:pk>/form/", views.application_form, name="application_form"),
    path("<int:pk>/documents/", views.application_upload, name="application_upload"),
    path("<int:pk>/documents/reuse/", views.application_reuse, name="application_reuse"),
    path("<int:pk>/documents/<int:doc_pk>/", views.document_download, name="application_document"),
    path("<int:pk>/notices/<int:notice_pk>/", notice_views.notice_download, name="application_notice"),
    path("<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("<int:pk>/resubmit/", views.application_resubmit, name="application_resubmit"),
    path("<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("<int:pk>/supply/", views.application_supply, name="application_supply"),
    path("<int:pk>/rating/", ratings.application_rate, name="application_rate"),
]
