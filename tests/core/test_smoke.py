def test_home_and_login(client, login_as):
    assert client.get("/").status_code == 200
    login_as("resident")
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert "您好" in response.get_data(as_text=True)
