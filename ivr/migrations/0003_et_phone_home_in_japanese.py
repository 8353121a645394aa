"""ET Phone Home in Japanese (../shared/PRODUCT.md, "Languages"): the same keys and numbers.

Every prompt and reply is spoken by Mizuki in ja-JP, the greeting too: without a voice Twilio
would read Japanese text with an English one.
"""

from django.db import migrations

SPEECH = {"voice": "Polly.Mizuki", "language": "ja-JP"}
REPLY_SPEECH = {"reply_voice": "Polly.Mizuki", "reply_language": "ja-JP"}

WELCOME_PROMPT = (
    "E.T.フォンホーム・サービスにお電話いただき、ありがとうございます。"
    "道順をお聞きになるには、1を押してください。"
    "電話をかけられる惑星の一覧をお聞きになるには、2を押してください。"
)
PLANETS_PROMPT = (
    "惑星ブロードアソグに電話するには、2を押してください。"
    "惑星ドゥゴバに電話するには、3を押してください。"
    "ウーバー小惑星を今いる場所に呼ぶには、4を押してください。"
    "メインメニューに戻るには、米印を押してください。"
)
DIRECTIONS = (
    "脱出地点へは、自転車に乗って通りを進んでください。"
    "次の路地を左へ入り、パトカーは避けてください。"
    "建設中の住宅地に入ったら左へ曲がり、検問を飛び越えてください。"
    "月を通り過ぎると、まもなく母船が見えてきます。"
    "\n\n"
    "E.T.フォンホーム・サービスをご利用いただき、ありがとうございました。"
    "冒険好きな宇宙人がまず選ぶ、銀河間旅行のサービスです。"
)
PLANETS = {"2": "+19295566487", "3": "+17262043675", "4": "+16513582243"}
SLUGS = ["ja-menu", "ja-planets"]


def create_tree(apps, schema_editor):
    Menu = apps.get_model("ivr", "Menu")
    Option = apps.get_model("ivr", "Option")
    welcome = Menu.objects.create(
        name="ET Phone Home (Japanese)",
        entry_slug="ja-welcome",
        choice_slug="ja-menu",
        prompt=WELCOME_PROMPT,
        loop=3,
        **SPEECH,
        **REPLY_SPEECH,
    )
    planets = Menu.objects.create(
        name="ET Phone Home (Japanese): planets",
        choice_slug="ja-planets",
        prompt=PLANETS_PROMPT,
        loop=3,
        main_menu=welcome,
        **SPEECH,
        **REPLY_SPEECH,
    )
    Option.objects.create(menu=welcome, key="1", action="say", text=DIRECTIONS)
    Option.objects.create(menu=welcome, key="2", action="menu", target_menu=planets)
    for key, number in PLANETS.items():
        Option.objects.create(menu=planets, key=key, action="dial", number=number)
    Option.objects.create(menu=planets, key="*", action="back")


def remove_tree(apps, schema_editor):
    Menu = apps.get_model("ivr", "Menu")
    Option = apps.get_model("ivr", "Option")
    tree = Menu.objects.filter(choice_slug__in=SLUGS)
    Option.objects.filter(menu__in=tree).delete()
    tree.filter(choice_slug="ja-planets").delete()
    tree.filter(choice_slug="ja-menu").delete()


class Migration(migrations.Migration):
    dependencies = [("ivr", "0002_et_phone_home")]

    operations = [migrations.RunPython(create_tree, remove_tree)]
