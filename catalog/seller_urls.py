"""Seller-portal routes for listings (mounted at /<lang>/seller/catalog/)."""

from django.urls import path

from catalog.views import seller

app_name = "seller_catalog"

urlpatterns = [
    path("", seller.ProductListView.as_view(), name="products"),
    path("new/", seller.ProductCreateView.as_view(), name="create"),
    path("<int:pk>/", seller.ProductDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", seller.ProductEditView.as_view(), name="edit"),
    path("<int:pk>/submit/", seller.ProductSubmitView.as_view(), name="submit"),
    path("<int:pk>/skus/new/", seller.SkuFormView.as_view(), name="sku_create"),
    path("<int:pk>/skus/<int:sku_pk>/", seller.SkuFormView.as_view(), name="sku_edit"),
    path("<int:pk>/images/", seller.ImageUploadView.as_view(), name="images"),
    path(
        "<int:pk>/images/<int:image_pk>/delete/",
        seller.ImageDeleteView.as_view(),
        name="image_delete",
    ),
    path("<int:pk>/images/<int:image_pk>/keep/", seller.ImageKeepView.as_view(), name="image_keep"),
    path(
        "<int:pk>/proposed-images/<int:image_pk>/delete/",
        seller.ProposedImageDeleteView.as_view(),
        name="proposed_image_delete",
    ),
    path(
        "<int:pk>/skus/<int:sku_pk>/product-record/",
        seller.ProductRecordSubmitView.as_view(),
        name="sku_record_submit",
    ),
    path(
        "<int:pk>/revision/withdraw/",
        seller.RevisionWithdrawView.as_view(),
        name="revision_withdraw",
    ),
]
