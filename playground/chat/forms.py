from django import forms


class ChatForm(forms.Form):
    model = forms.CharField(
        max_length=200,
        help_text="Pick from the gateway's list or type any model name.",
        widget=forms.TextInput(attrs={"list": "model-list", "autocomplete": "off"}),
    )
    system_prompt = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 2})
    )
    temperature = forms.FloatField(min_value=0, max_value=2, initial=0.7)
    max_tokens = forms.IntegerField(min_value=1, max_value=32_768, initial=1024)
    message = forms.CharField(max_length=50_000, widget=forms.Textarea(attrs={"rows": 3}))
    conversation = forms.IntegerField(required=False, widget=forms.HiddenInput)
