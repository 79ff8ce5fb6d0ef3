"""Conversations keep their parameters and are shared; each exchange has a status.

Existing conversations take the parameters of their last exchange; existing exchanges are
done, or failed when they recorded an error."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def fill_in(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Conversation = apps.get_model("chat", "Conversation")
    ChatExchange = apps.get_model("chat", "ChatExchange")
    ChatExchange.objects.exclude(error="").update(status="failed")
    ChatExchange.objects.filter(error="").update(status="done")
    for conversation in Conversation.objects.all():
        last = ChatExchange.objects.filter(conversation=conversation).order_by("-id").first()
        if last is not None:
            conversation.model = last.model
            conversation.system_prompt = last.system_prompt
            conversation.temperature = last.temperature
            conversation.max_tokens = last.max_tokens
        conversation.model = conversation.model or "gpt-4o-mini"
        conversation.save()


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="conversation", options={"ordering": ["-updated_at", "-id"]}
        ),
        migrations.AlterField(
            model_name="conversation", name="title", field=models.CharField(max_length=200)
        ),
        migrations.AlterField(
            model_name="conversation",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="conversations",
                to="accounts.user",
            ),
        ),
        migrations.AddField(
            model_name="conversation",
            name="model",
            field=models.CharField(default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="conversation",
            name="system_prompt",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="conversation",
            name="temperature",
            field=models.FloatField(default=0.7),
        ),
        migrations.AddField(
            model_name="conversation",
            name="top_p",
            field=models.FloatField(default=1.0),
        ),
        migrations.AddField(
            model_name="conversation",
            name="max_tokens",
            field=models.PositiveIntegerField(default=1024),
        ),
        migrations.AddField(
            model_name="conversation",
            name="forked_from",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="forks",
                to="chat.conversation",
            ),
        ),
        migrations.AddField(
            model_name="conversation",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="chatexchange",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting to start"),
                    ("streaming", "Answering"),
                    ("done", "Done"),
                    ("stopped", "Stopped"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="chatexchange",
            name="stop_requested",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="chatexchange",
            name="top_p",
            field=models.FloatField(null=True),
        ),
        migrations.RunPython(fill_in, migrations.RunPython.noop),
    ]
