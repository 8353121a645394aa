"""The ET Phone Home tree, exactly as ../shared/PRODUCT.md words it."""

from django.db import migrations

VOICE = {"reply_voice": "Polly.Amy", "reply_language": "en-GB"}

WELCOME_PROMPT = (
    "Thanks for calling the E T Phone Home Service. "
    "Please press 1 for directions. Press 2 for a list of planets to call."
)
PLANETS_PROMPT = (
    "To call the planet Broh doe As O G, press 2. To call the planet DuhGo bah, press 3. "
    "To call an oober asteroid to your location, press 4. "
    "To go back to the main menu, press the star key."
)
DIRECTIONS = (
    "To get to your extraction point, get on your bike and go down the street. "
    "Then Left down an alley. Avoid the police cars. "
    "Turn left into an unfinished housing development. Fly over the roadblock. "
    "Go passed the moon. Soon after you will see your mother ship."
    "\n\n"
    "Thank you for calling the ET Phone Home Service - "
    "the adventurous alien's first choice in intergalactic travel."
)
PLANETS = {"2": "+19295566487", "3": "+17262043675", "4": "+16513582243"}


def create_tree(apps, schema_editor):
    Menu = apps.get_model("ivr", "Menu")
    Option = apps.get_model("ivr", "Option")
    welcome = Menu.objects.create(
        name="ET Phone Home",
        entry_slug="welcome",
        choice_slug="menu",
        prompt=WELCOME_PROMPT,
        voice="",
        language="",
        loop=3,
        **VOICE,
    )
    planets = Menu.objects.create(
        name="ET Phone Home: planets",
        choice_slug="planets",
        prompt=PLANETS_PROMPT,
        voice="Polly.Amy",
        language="en-GB",
        loop=3,
        main_menu=welcome,
        **VOICE,
    )
    Option.objects.create(menu=welcome, key="1", action="say", text=DIRECTIONS)
    Option.objects.create(menu=welcome, key="2", action="menu", target_menu=planets)
    for key, number in PLANETS.items():
        Option.objects.create(menu=planets, key=key, action="dial", number=number)
    Option.objects.create(menu=planets, key="*", action="back")


def remove_tree(apps, schema_editor):
    Menu = apps.get_model("ivr", "Menu")
    Option = apps.get_model("ivr", "Option")
    tree = Menu.objects.filter(choice_slug__in=["menu", "planets"])
    Option.objects.filter(menu__in=tree).delete()
    tree.filter(choice_slug="planets").delete()
    tree.filter(choice_slug="menu").delete()


class Migration(migrations.Migration):
    dependencies = [("ivr", "0001_phone_tree")]

    operations = [migrations.RunPython(create_tree, remove_tree)]
