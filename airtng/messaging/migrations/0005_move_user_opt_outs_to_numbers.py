from django.db import migrations


def users_to_numbers(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    OptOut = apps.get_model("messaging", "OptOut")
    numbers = User.objects.filter(sms_opted_out=True).values_list("phone_number", flat=True)
    OptOut.objects.bulk_create(
        [OptOut(phone_number=str(number), reason="stop") for number in numbers],
        ignore_conflicts=True,
    )


def numbers_to_users(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    OptOut = apps.get_model("messaging", "OptOut")
    numbers = OptOut.objects.values_list("phone_number", flat=True)
    User.objects.filter(phone_number__in=list(numbers)).update(sms_opted_out=True)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_phone_verification"),
        ("messaging", "0004_optout"),
    ]

    operations = [migrations.RunPython(users_to_numbers, numbers_to_users)]
