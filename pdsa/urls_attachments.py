"""Photos and files on a cycle (pdsa.attachment_views), under the "pdsa" namespace: listed
in pdsa/urls.py."""

from django.urls import path

from pdsa import attachment_views

urlpatterns = [
    path("cycles/<int:pk>/files/", attachment_views.attachment_create, name="attachment-create"),
    path("cycle-files/<int:pk>/", attachment_views.attachment, name="attachment"),
    path("cycle-files/<int:pk>/remove/", attachment_views.attachment_delete,
         name="attachment-delete"),
]
