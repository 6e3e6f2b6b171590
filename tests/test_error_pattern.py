"""Form errors follow the GOV.UK pattern: title, summary linking to fields, message first."""

from django.urls import reverse


def test_a_form_with_errors_says_so_in_the_title_summary_and_beside_each_field(client, owner):
    client.force_login(owner)
    response = client.post(reverse("patients:create"), {"full_name": "Lena Fischer"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in text
    assert 'id="error-summary"' in text and 'role="alert"' in text
    assert 'href="#id_date_of_birth"' in text
    message = text.index('id="id_date_of_birth_error"')
    field = text.index('id="id_date_of_birth"')
    assert message < field, "the message comes before the input"
    tag = text[text.rindex("<input", 0, field) : text.index(">", field)]
    assert 'aria-invalid="true"' in tag
    assert "id_date_of_birth_error" in tag
    assert 'value="Lena Fischer"' in text
