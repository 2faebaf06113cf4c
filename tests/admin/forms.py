"""What a browser posts back for an admin change form, for tests that save through the admin."""
from django.urls import reverse


def member_change_post(client, member_id):
    """(url, data): the member's change form as shown, its inlines left as they are (none submitted)."""
    url = reverse("admin:members_member_change", args=[member_id])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for prefix in ("memberships", "payments"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return url, data
