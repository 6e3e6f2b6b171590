from django.shortcuts import redirect, render


def home(request):
    if request.user.is_clinic_admin:
        return render(request, "ipt/admin_home.html")
    return redirect("patients:caseload")
