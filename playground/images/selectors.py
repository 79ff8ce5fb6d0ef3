from __future__ import annotations

from uuid import UUID

from django.core.paginator import Page, Paginator

from playground.images.models import GeneratedImage, Generation

GALLERY_PAGE_SIZE = 24


def generation_get(*, generation_id: UUID) -> Generation | None:
    return Generation.objects.select_related("user").filter(id=generation_id).first()


def generation_images(*, generation: Generation) -> list[GeneratedImage]:
    return list(generation.images.order_by("index"))


def generated_image_get(*, image_id: UUID) -> GeneratedImage | None:
    return GeneratedImage.objects.select_related("generation__user").filter(id=image_id).first()


def gallery_page(*, number: str | int | None) -> Page[GeneratedImage]:
    """The team's stored images, everyone's, newest first."""
    images = (
        GeneratedImage.objects.exclude(file="")
        .select_related("generation__user")
        .defer("generation__params", "generation__request_body")
        .order_by("-created_at", "index")
    )
    return Paginator(images, GALLERY_PAGE_SIZE).get_page(number)
