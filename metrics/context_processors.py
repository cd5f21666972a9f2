def nps_prompt(request):
    return {}
