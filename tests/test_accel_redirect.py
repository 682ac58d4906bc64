"""Behind nginx (DJANGO_ACCEL_REDIRECT set), an allowed download leaves the app as X-Accel-Redirect."""


def test_an_allowed_attachment_is_handed_to_nginx_and_a_refused_one_is_not(role_client, case_attachment, settings):
    settings.ACCEL_REDIRECT_PREFIX = "/_media/"
    url = f"/cases/attachment/{case_attachment.pk}/"
    response = role_client("reporter").get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_media/" + case_attachment.file.name
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    refused = role_client("other_reporter").get(url)
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused


def test_without_the_setting_the_app_sends_the_file_itself(role_client, case_attachment, settings):
    settings.ACCEL_REDIRECT_PREFIX = ""
    response = role_client("reporter").get(f"/cases/attachment/{case_attachment.pk}/")
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content).startswith(b"%PDF")
