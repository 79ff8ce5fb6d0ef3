"""The four video forms: every rule refuses with words a user reads, and a valid form's params
are what a rerun gets back."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from playground.accounts.models import User
from playground.videos.forms import (
    SEEDANCE_MODELS,
    KlingImageForm,
    KlingMultiForm,
    KlingTextForm,
    SeedanceForm,
    VideoForm,
)
from tests.conftest import Simulator, free_port
from tests.factories import UserFactory
from tests.uploads.factories import noise_png

pytestmark = pytest.mark.django_db

LITE_T2V = "doubao-seedance-1-0-lite-t2v-250428"
LITE_I2V = "doubao-seedance-1-0-lite-i2v-250428"
ONLY_ONE = "Kling takes only one of an end image, a camera movement and motion brush masks"
NOT_A_CHOICE = "Select a valid choice. {} is not one of the available choices."


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def user() -> User:
    return UserFactory.create()


def picture(
    width: int = 640, height: int = 360, *, image_format: str = "PNG", color: str = "teal"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, image_format)
    extension = image_format.lower()
    return SimpleUploadedFile(f"{color}.{extension}", buffer.getvalue())


def seedance(user: User, files: dict[str, Any] | None = None, **data: Any) -> SeedanceForm:
    values = {"job_id": str(uuid.uuid4()), "model": SEEDANCE_MODELS[0], "duration": 5}
    return SeedanceForm({**values, "prompt": "a cat at a piano", **data}, files or {}, user=user)


def kling_text(user: User, **data: Any) -> KlingTextForm:
    values = {
        "job_id": str(uuid.uuid4()),
        "model_name": "kling-v1-6",
        "prompt": "a fox in snow",
        "mode": "std",
        "duration": "5",
        "aspect_ratio": "16:9",
    }
    return KlingTextForm({**values, **data}, user=user)


def kling_image(user: User, files: dict[str, Any] | None = None, **data: Any) -> KlingImageForm:
    values = {"job_id": str(uuid.uuid4()), "model_name": "kling-v1-6", "mode": "std"}
    return KlingImageForm({**values, "duration": "5", **data}, files or {}, user=user)


def kling_multi(user: User, files: dict[str, Any] | None = None, **data: Any) -> KlingMultiForm:
    values = {"job_id": str(uuid.uuid4()), "model_name": "kling-v1-6", "mode": "std"}
    data = {**values, "prompt": "two friends", "duration": "5", "aspect_ratio": "1:1", **data}
    return KlingMultiForm(data, files or {}, user=user)


def rerun(form: VideoForm) -> VideoForm:
    """The form a rerun opens, submitted as it was pre-filled."""
    assert form.is_valid(), form.errors
    initial = type(form).initial_from(form.params())
    return type(form)({**initial, "job_id": str(uuid.uuid4())}, user=form.user)


def simulator_image_url(sim: Simulator) -> str:
    """An image on the simulator's media URL, as a user could paste one from an image job."""
    response = requests.post(
        f"{sim.url}/v1/images/generations",
        headers={"Authorization": f"Bearer {sim.key}"},
        json={"model": "doubao-seedream-4-0-250828", "prompt": "a red fox", "size": "1K"},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["data"][0]["url"])


class TestSeedanceForm:
    def test_a_prompt_alone_is_a_valid_job(self, user: User) -> None:
        form = seedance(user, ratio="16:9", resolution="720p", seed="42", watermark="on")

        assert form.is_valid(), form.errors
        assert form.params() == {
            "model": SEEDANCE_MODELS[0],
            "prompt": "a cat at a piano",
            "first_frame": None,
            "last_frame": None,
            "reference_images": [],
            "ratio": "16:9",
            "resolution": "720p",
            "duration": 5,
            "seed": 42,
            "camera_fixed": False,
            "watermark": True,
        }

    @pytest.mark.parametrize("duration", [2, 12])
    def test_it_takes_2_to_12_seconds(self, user: User, duration: int) -> None:
        assert seedance(user, duration=duration).is_valid()

    def test_it_refuses_a_duration_under_2_seconds(self, user: User) -> None:
        form = seedance(user, duration=1)

        assert form.errors["duration"] == ["Ensure this value is greater than or equal to 2."]

    def test_it_refuses_a_duration_over_12_seconds(self, user: User) -> None:
        form = seedance(user, duration=13)

        assert form.errors["duration"] == ["Ensure this value is less than or equal to 12."]

    @pytest.mark.parametrize("seed", [-1, 0, 2**32 - 1])
    def test_it_takes_a_seed_from_minus_1_to_2_to_the_32_minus_1(
        self, user: User, seed: int
    ) -> None:
        assert seedance(user, seed=seed).is_valid()

    def test_it_refuses_a_seed_below_minus_1(self, user: User) -> None:
        form = seedance(user, seed=-2)

        assert form.errors["seed"] == ["Ensure this value is greater than or equal to -1."]

    def test_it_refuses_a_seed_past_32_bits(self, user: User) -> None:
        form = seedance(user, seed=2**32)

        assert form.errors["seed"] == ["Ensure this value is less than or equal to 4294967295."]

    def test_it_needs_a_prompt_or_a_first_frame(self, user: User) -> None:
        form = seedance(user, prompt="   ")

        assert form.errors["prompt"] == ["Write a prompt, or give a first frame to animate."]

    def test_a_first_frame_alone_is_a_valid_job(self, user: User) -> None:
        form = seedance(user, {"first_frame_file": picture()}, prompt="")

        assert form.is_valid(), form.errors
        frame = form.params()["first_frame"]
        assert set(frame) == {"upload"}
        assert uuid.UUID(frame["upload"])

    def test_a_last_frame_needs_a_first_frame(self, user: User) -> None:
        form = seedance(user, {"last_frame_file": picture()})

        assert form.errors["last_frame_file"] == ["A last frame needs a first frame too."]

    def test_first_and_last_frames_make_a_valid_job(self, user: User) -> None:
        files = {"first_frame_file": picture(color="navy"), "last_frame_file": picture()}
        form = seedance(user, files)

        assert form.is_valid(), form.errors
        assert form.params()["first_frame"] != form.params()["last_frame"]

    def test_reference_images_cannot_be_combined_with_frames(self, user: User) -> None:
        files = {"first_frame_file": picture(color="navy"), "refer2_file": picture()}
        form = seedance(user, files)

        assert form.errors["refer1_file"] == [
            "Reference images cannot be combined with first or last frames."
        ]

    def test_reference_images_are_listed_in_slot_order(self, user: User) -> None:
        files = {"refer3_file": picture(color="navy"), "refer1_file": picture(color="olive")}
        form = seedance(user, files)

        assert form.is_valid(), form.errors
        references = form.params()["reference_images"]
        assert [ref["upload"] for ref in references] == [
            form.images["refer1"]["upload"],
            form.images["refer3"]["upload"],
        ]

    def test_the_lite_text_model_takes_no_images(self, user: User) -> None:
        form = seedance(user, {"first_frame_file": picture()}, model=LITE_T2V)

        assert form.errors["model"] == ["This text-to-video model takes no images; remove them."]

    def test_the_lite_image_model_needs_an_image(self, user: User) -> None:
        form = seedance(user, model=LITE_I2V)

        assert form.errors["model"] == [
            "This image-to-video model needs a first frame or references."
        ]

    def test_the_lite_image_model_takes_reference_images(self, user: User) -> None:
        assert seedance(user, {"refer1_file": picture()}, model=LITE_I2V).is_valid()

    def test_it_refuses_a_ratio_not_in_the_list(self, user: User) -> None:
        form = seedance(user, ratio="5:4")

        assert form.errors["ratio"] == [NOT_A_CHOICE.format("5:4")]

    def test_it_refuses_a_resolution_not_in_the_list(self, user: User) -> None:
        form = seedance(user, resolution="4k")

        assert form.errors["resolution"] == [NOT_A_CHOICE.format("4k")]

    def test_it_takes_a_webp_frame(self, user: User) -> None:
        form = seedance(user, {"first_frame_file": picture(image_format="WEBP")})

        assert form.is_valid(), form.errors

    def test_a_rerun_validates_to_the_same_params(self, user: User) -> None:
        files = {"first_frame_file": picture(color="navy"), "last_frame_file": picture()}
        form = seedance(user, files, seed="7", camera_fixed="on", ratio="adaptive")

        again = rerun(form)

        assert again.is_valid(), again.errors
        assert again.params() == form.params()

    def test_a_rerun_with_reference_images_validates_to_the_same_params(self, user: User) -> None:
        form = seedance(user, {"refer2_file": picture(), "refer4_file": picture(color="red")})

        again = rerun(form)

        assert again.is_valid(), again.errors
        assert again.params() == form.params()


class TestKlingTextForm:
    def test_a_valid_form_gives_the_kling_params(self, user: User) -> None:
        form = kling_text(user, negative_prompt=" blur ", duration="10", cfg_scale="0.5")

        assert form.is_valid(), form.errors
        assert form.params() == {
            "model_name": "kling-v1-6",
            "prompt": "a fox in snow",
            "negative_prompt": "blur",
            "mode": "std",
            "duration": 10,
            "aspect_ratio": "16:9",
            "cfg_scale": 0.5,
            "camera_control": None,
        }

    def test_it_needs_a_prompt(self, user: User) -> None:
        form = kling_text(user, prompt=" ")

        assert form.errors["prompt"] == ["Write a prompt: text to video needs one."]

    def test_it_takes_a_prompt_of_2500_characters(self, user: User) -> None:
        assert kling_text(user, prompt="a" * 2500, negative_prompt="b" * 2500).is_valid()

    @pytest.mark.parametrize("field", ["prompt", "negative_prompt"])
    def test_it_refuses_more_than_2500_characters(self, user: User, field: str) -> None:
        form = kling_text(user, **{field: "a" * 2501})

        assert form.errors[field] == [
            "Ensure this value has at most 2500 characters (it has 2501)."
        ]

    @pytest.mark.parametrize(
        ("cfg_scale", "error"),
        [("-0.1", "greater than or equal to 0"), ("1.01", "less than or equal to 1")],
    )
    def test_it_refuses_a_cfg_scale_outside_0_to_1(
        self, user: User, cfg_scale: str, error: str
    ) -> None:
        form = kling_text(user, cfg_scale=cfg_scale)

        assert form.errors["cfg_scale"] == [f"Ensure this value is {error}."]

    @pytest.mark.parametrize("model", ["kling-v2-master", "kling-v2-1-master", "kling-v2-6"])
    def test_kling_v2_models_take_no_cfg_scale(self, user: User, model: str) -> None:
        form = kling_text(user, model_name=model, cfg_scale="0.5")

        assert form.errors["cfg_scale"] == ["kling-v2.x models take no CFG scale; leave it empty."]

    def test_kling_v2_models_are_fine_without_a_cfg_scale(self, user: User) -> None:
        assert kling_text(user, model_name="kling-v2-master").is_valid()

    def test_it_refuses_a_model_of_another_action(self, user: User) -> None:
        form = kling_text(user, model_name="kling-v1-5")

        assert form.errors["model_name"] == [NOT_A_CHOICE.format("kling-v1-5")]

    @pytest.mark.parametrize("duration", ["7", "5.0", ""])
    def test_it_takes_only_5_or_10_seconds(self, user: User, duration: str) -> None:
        form = kling_text(user, duration=duration)

        assert not form.is_valid()
        assert "duration" in form.errors

    def test_camera_values_need_a_camera_type(self, user: User) -> None:
        form = kling_text(user, camera_pan="5")

        assert form.errors["camera_type"] == ["Choose the camera movement these values are for."]

    def test_a_preset_camera_movement_takes_no_values(self, user: User) -> None:
        form = kling_text(user, camera_type="down_back", camera_zoom="2")

        assert form.errors["camera_type"] == ["Only the simple movement takes values; clear them."]

    def test_a_preset_camera_movement_alone_is_sent_as_its_type(self, user: User) -> None:
        form = kling_text(user, camera_type="forward_up", camera_zoom="0")

        assert form.is_valid(), form.errors
        assert form.params()["camera_control"] == {"type": "forward_up"}

    @pytest.mark.parametrize(
        "values", [{}, {"camera_pan": "0"}, {"camera_pan": "3", "camera_tilt": "-2"}]
    )
    def test_a_simple_movement_needs_exactly_one_non_zero_value(
        self, user: User, values: dict[str, str]
    ) -> None:
        form = kling_text(user, camera_type="simple", **values)

        assert form.errors["camera_type"] == [
            "A simple camera movement needs exactly one non-zero value "
            "(horizontal, vertical, pan, tilt, roll or zoom)."
        ]

    def test_a_simple_movement_is_sent_with_every_axis(self, user: User) -> None:
        form = kling_text(user, camera_type="simple", camera_roll="-10", camera_zoom="0")

        assert form.is_valid(), form.errors
        assert form.params()["camera_control"] == {
            "type": "simple",
            "config": {"horizontal": 0, "vertical": 0, "pan": 0, "tilt": 0, "roll": -10, "zoom": 0},
        }

    @pytest.mark.parametrize("axis", ["horizontal", "vertical", "pan", "tilt", "roll", "zoom"])
    @pytest.mark.parametrize(
        ("value", "error"),
        [("-10.5", "greater than or equal to -10"), ("11", "less than or equal to 10")],
    )
    def test_each_camera_value_is_within_minus_10_and_10(
        self, user: User, axis: str, value: str, error: str
    ) -> None:
        form = kling_text(user, camera_type="simple", **{f"camera_{axis}": value})

        assert form.errors[f"camera_{axis}"] == [f"Ensure this value is {error}."]

    def test_a_rerun_validates_to_the_same_params(self, user: User) -> None:
        form = kling_text(
            user, negative_prompt="blur", cfg_scale="0.3", camera_type="simple", camera_pan="4"
        )

        again = rerun(form)

        assert again.is_valid(), again.errors
        assert again.params() == form.params()


class TestKlingImageForm:
    def test_a_start_image_makes_a_valid_job(self, user: User) -> None:
        form = kling_image(user, {"image_file": picture()}, prompt="the boat sails")

        assert form.is_valid(), form.errors
        params = form.params()
        assert params["image"] == form.images["image"]
        assert {key: params[key] for key in params if key != "image"} == {
            "model_name": "kling-v1-6",
            "prompt": "the boat sails",
            "negative_prompt": "",
            "mode": "std",
            "duration": 5,
            "cfg_scale": None,
            "camera_control": None,
            "image_tail": None,
            "static_mask": None,
            "dynamic_masks": [],
        }

    def test_it_needs_a_start_or_an_end_image(self, user: User) -> None:
        form = kling_image(user, prompt="the boat sails")

        assert form.errors["image_file"] == ["Give a start image, an end image, or both."]

    def test_an_end_image_alone_makes_a_valid_job(self, user: User) -> None:
        assert kling_image(user, {"image_tail_file": picture()}).is_valid()

    @pytest.mark.parametrize(("image_format", "name"), [("WEBP", "WebP"), ("GIF", "GIF")])
    def test_it_takes_only_jpg_or_png(self, user: User, image_format: str, name: str) -> None:
        form = kling_image(user, {"image_file": picture(image_format=image_format)})

        assert form.errors["image_file"] == [
            f"The image must be a JPG or PNG; this one is a {name}."
        ]

    def test_it_takes_a_jpg(self, user: User) -> None:
        assert kling_image(user, {"image_file": picture(image_format="JPEG")}).is_valid()

    def test_it_refuses_an_image_under_300_px(self, user: User) -> None:
        form = kling_image(user, {"image_file": picture(299, 400)})

        assert form.errors["image_file"] == [
            "The image must be at least 300 px on each side; this one is 299×400 px."  # noqa: RUF001
        ]

    @pytest.mark.parametrize(("width", "height"), [(751, 300), (300, 751)])
    def test_it_refuses_an_aspect_ratio_past_2_5_to_1(
        self, user: User, width: int, height: int
    ) -> None:
        form = kling_image(user, {"image_file": picture(width, height)})

        assert form.errors["image_file"] == [
            "The image's aspect ratio must be between 1:2.5 and 2.5:1; "
            f"this one is {width}×{height} px."  # noqa: RUF001
        ]

    @pytest.mark.parametrize(("width", "height"), [(750, 300), (300, 750)])
    def test_it_takes_an_aspect_ratio_of_exactly_2_5_to_1(
        self, user: User, width: int, height: int
    ) -> None:
        assert kling_image(user, {"image_file": picture(width, height)}).is_valid()

    def test_it_refuses_an_image_over_10_mb(self, user: User) -> None:
        data = noise_png(2000, 1900)  # random pixels do not compress: about 11 MB
        assert len(data) > 10 * 1024 * 1024
        big = SimpleUploadedFile("big.png", data, content_type="image/png")

        form = kling_image(user, {"image_file": big})

        assert len(form.errors["image_file"]) == 1
        assert str(form.errors["image_file"][0]).startswith(
            "The image must be 10 MB or smaller; this one is 1"
        )

    def test_an_end_image_and_a_camera_movement_exclude_each_other(self, user: User) -> None:
        files = {"image_file": picture(color="navy"), "image_tail_file": picture()}
        form = kling_image(user, files, camera_type="down_back")

        assert form.non_field_errors() == [
            f"{ONLY_ONE}; this job has an end image and a camera movement."
        ]

    def test_an_end_image_and_masks_exclude_each_other(self, user: User) -> None:
        files = {
            "image_file": picture(color="navy"),
            "image_tail_file": picture(),
            "static_mask_file": picture(color="white"),
        }
        form = kling_image(user, files)

        assert form.non_field_errors() == [
            f"{ONLY_ONE}; this job has an end image and motion brush masks."
        ]

    def test_a_camera_movement_and_masks_exclude_each_other(self, user: User) -> None:
        files = {"image_file": picture(color="navy"), "dynamic_mask_file": picture(color="white")}
        form = kling_image(
            user, files, camera_type="simple", camera_zoom="3", trajectories="10,10 20,20"
        )

        assert form.non_field_errors() == [
            f"{ONLY_ONE}; this job has a camera movement and motion brush masks."
        ]

    def test_all_three_are_named_when_all_three_are_given(self, user: User) -> None:
        files = {
            "image_file": picture(color="navy"),
            "image_tail_file": picture(),
            "static_mask_file": picture(color="white"),
        }
        form = kling_image(user, files, camera_type="down_back")

        assert form.non_field_errors() == [
            f"{ONLY_ONE}; this job has an end image and a camera movement and motion brush masks."
        ]

    def test_a_dynamic_mask_needs_a_path(self, user: User) -> None:
        files = {"image_file": picture(color="navy"), "dynamic_mask_file": picture(color="white")}
        form = kling_image(user, files)

        assert form.errors["trajectories"] == ["A dynamic mask needs its path."]

    def test_a_path_needs_a_dynamic_mask(self, user: User) -> None:
        form = kling_image(user, {"image_file": picture()}, trajectories="10,10 20,20")

        assert form.errors["dynamic_mask_file"] == ["A path needs its dynamic mask image."]

    @pytest.mark.parametrize("points", [1, 78])
    def test_a_path_has_2_to_77_points(self, user: User, points: int) -> None:
        files = {"image_file": picture(color="navy"), "dynamic_mask_file": picture(color="white")}
        path = " ".join(f"{n},{n}" for n in range(points))
        form = kling_image(user, files, trajectories=path)

        assert form.errors["trajectories"] == [f"A path has 2 to 77 points; this one has {points}."]

    @pytest.mark.parametrize("pair", ["10;20", "1.5,2", "1,2,3", "x,y"])
    def test_a_path_is_made_of_x_y_points_of_whole_numbers(self, user: User, pair: str) -> None:
        files = {"image_file": picture(color="navy"), "dynamic_mask_file": picture(color="white")}
        form = kling_image(user, files, trajectories=f"0,0 {pair} 5,5")

        assert form.errors["trajectories"] == [f"'{pair}' is not an x,y point of whole numbers."]

    def test_masks_with_a_path_of_77_points_make_a_valid_job(self, user: User) -> None:
        files = {
            "image_file": picture(color="navy"),
            "static_mask_file": picture(color="black"),
            "dynamic_mask_file": picture(color="white"),
        }
        path = " ".join(f"{n},{2 * n}" for n in range(77))
        form = kling_image(user, files, trajectories=path)

        assert form.is_valid(), form.errors
        masks = form.params()["dynamic_masks"]
        assert masks == [
            {"mask": form.images["dynamic_mask"], "trajectories": [[n, 2 * n] for n in range(77)]}
        ]
        assert form.params()["static_mask"] == form.images["static_mask"]

    def test_a_rerun_validates_to_the_same_params(self, user: User) -> None:
        files = {"image_file": picture(color="navy"), "dynamic_mask_file": picture(color="white")}
        form = kling_image(user, files, prompt="waves", trajectories="1,2 3,4 5,6")

        again = rerun(form)

        assert again.is_valid(), again.errors
        assert again.params() == form.params()

    def test_a_rerun_with_a_camera_movement_validates_to_the_same_params(self, user: User) -> None:
        form = kling_image(
            user, {"image_file": picture()}, cfg_scale="0.7", camera_type="simple", camera_tilt="2"
        )

        again = rerun(form)

        assert again.is_valid(), again.errors
        assert again.params() == form.params()


class TestImageUrls:
    def test_an_image_on_the_simulators_media_url_is_fetched(
        self, user: User, sim: Simulator
    ) -> None:
        url = simulator_image_url(sim)
        form = kling_image(user, image_url=url)

        assert form.is_valid(), form.errors
        assert form.params()["image"] == {"upload": form.images["image"]["upload"], "url": url}

    def test_a_rerun_sends_the_url_again(self, user: User, sim: Simulator) -> None:
        form = kling_image(user, image_url=simulator_image_url(sim))

        again = rerun(form)

        assert again.is_valid(), again.errors
        assert again.params() == form.params()

    def test_another_port_on_the_loopback_address_is_refused(
        self, user: User, sim: Simulator
    ) -> None:
        form = kling_image(user, image_url=f"http://127.0.0.1:{free_port()}/fox.png")

        assert form.errors["image_url"] == [
            "127.0.0.1 is on a private network; the playground only fetches public http(s) URLs."
        ]

    def test_the_cloud_metadata_address_is_refused(self, user: User, sim: Simulator) -> None:
        form = kling_image(user, image_url="http://169.254.169.254/latest/meta-data/")

        assert form.errors["image_url"] == [
            "169.254.169.254 is on a private network; the playground only fetches public "
            "http(s) URLs."
        ]
        assert "image_file" not in form.errors  # not also "Give a start image"

    def test_a_file_url_is_refused(self, user: User) -> None:
        form = kling_image(user, image_url="file:///etc/passwd")

        assert form.errors["image_url"] == ["Enter a valid URL."]

    def test_a_file_and_a_url_for_one_image_are_refused(self, user: User, sim: Simulator) -> None:
        form = kling_image(user, {"image_file": picture()}, image_url=simulator_image_url(sim))

        assert form.errors["image_file"] == [
            "Give one image: a file, a URL or the earlier image, not several."
        ]


class TestKlingMultiForm:
    def test_four_images_make_a_valid_job(self, user: User) -> None:
        colors = ["red", "green", "blue", "gray"]
        files = {f"image{n}_file": picture(color=color) for n, color in enumerate(colors, 1)}
        form = kling_multi(user, files)

        assert form.is_valid(), form.errors
        assert form.params() == {
            "model_name": "kling-v1-6",
            "prompt": "two friends",
            "negative_prompt": "",
            "mode": "std",
            "duration": 5,
            "aspect_ratio": "1:1",
            "image_list": [form.images[f"image{n}"] for n in range(1, 5)],
        }

    def test_one_image_in_any_slot_is_enough(self, user: User) -> None:
        form = kling_multi(user, {"image3_file": picture()})

        assert form.is_valid(), form.errors
        assert form.params()["image_list"] == [form.images["image3"]]

    def test_it_needs_an_image(self, user: User) -> None:
        form = kling_multi(user)

        assert form.errors["image1_file"] == ["Give 1 to 4 images."]

    def test_it_needs_a_prompt(self, user: User) -> None:
        form = kling_multi(user, {"image1_file": picture()}, prompt="")

        assert form.errors["prompt"] == ["Write a prompt: multi-image to video needs one."]

    def test_a_prompt_over_2500_characters_is_refused_only_for_its_length(self, user: User) -> None:
        form = kling_multi(user, {"image1_file": picture()}, prompt="a" * 2501)

        assert form.errors["prompt"] == [
            "Ensure this value has at most 2500 characters (it has 2501)."
        ]

    @pytest.mark.parametrize("model", ["kling-v1", "kling-v2-master", "kling-v3"])
    def test_it_takes_only_kling_v1_6(self, user: User, model: str) -> None:
        form = kling_multi(user, {"image1_file": picture()}, model_name=model)

        assert form.errors["model_name"] == [NOT_A_CHOICE.format(model)]

    def test_a_rerun_validates_to_the_same_params(self, user: User) -> None:
        form = kling_multi(user, {"image1_file": picture(), "image2_file": picture(color="red")})

        again = rerun(form)

        assert again.is_valid(), again.errors
        assert again.params() == form.params()
