from django.urls import path

from budget import views

app_name = "budget"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("tagihan/<str:month>/", views.bill_page, name="bill"),
    path("tagihan/<str:month>/ringkasan.pdf", views.bill_pdf, name="bill-pdf"),
    path("tagihan/<str:month>/peserta.xlsx", views.bill_participants, name="bill-participants"),
    path("tagihan/<str:month>/tagihan-bpjs/", views.add_invoice, name="add-invoice"),
    path("tagihan/<str:month>/pembayaran/", views.add_payment, name="add-payment"),
    path(
        "tagihan/<str:month>/tagihan-bpjs/<int:pk>/batal/",
        views.cancel_invoice_view,
        name="cancel-invoice",
    ),
    path(
        "tagihan/<str:month>/pembayaran/<int:pk>/batal/",
        views.cancel_payment_view,
        name="cancel-payment",
    ),
]
